//! `docs/cookbook.md` is run as it is written, so that its recipes cannot drift from the tool.
//!
//! A recipe is a `##` section holding a `<!-- recipe: ID -->` marker, its input files as fenced
//! blocks whose info string names the file (```` ```toml kpis.toml ````, ```` ```csv
//! data/deals.csv ````) and one or more ```` ```console ```` blocks: `$ kpi …` and what it
//! prints. For each recipe the test
//!
//! - checks that each file block is, byte for byte, the file of `tests/cookbook/ID/` (so the
//!   recipe can also be run there) and that the folder holds no other file;
//! - writes the blocks into a fresh temporary folder, runs each command there and compares what
//!   it prints (stdout, then stderr) with the block; the command must exit 0 and pin `--as-of`;
//! - checks that every KPI of the list the cookbook promises has its recipe.
//!
//! `UPDATE_COOKBOOK=1 cargo test --test cli cookbook` rewrites the fixtures from the page's file
//! blocks and the page's outputs from the real ones: review with `git diff` before committing.

use crate::golden::{diff, relative_files};
use crate::support::{repo_root, Workdir};
use std::collections::BTreeSet;
use std::fs;

/// The recipes the cookbook promises: each must be the heading of a recipe.
const PROMISED: &[&str] = &[
    "Win rate",
    "Sales cycle",
    "Revenue per customer",
    "Open and click rates",
    "NPS",
    "CSAT",
    "CES",
    "Retention and churn",
    "Resolution time",
    "First response time",
    "On-time delivery and OTIF",
    "Complaint rate",
    "Leads by channel",
    "Revenue by channel",
];

/// Lines `start..end` of the page, to be replaced by a console block's real body.
type Rewrite = (usize, usize, Vec<String>);

/// A fenced block of the page: its info string, its lines, and where its body starts.
struct Block {
    info: String,
    body: Vec<String>,
    /// Index in the page's lines of the body's first line.
    start: usize,
}

/// One recipe: its heading, its id and its blocks.
struct Recipe {
    heading: String,
    id: String,
    blocks: Vec<Block>,
}

#[test]
fn cookbook_recipes_run_as_written() {
    let update = std::env::var_os("UPDATE_COOKBOOK").is_some_and(|v| v == "1");
    let page_path = repo_root().join("docs").join("cookbook.md");
    let page = fs::read_to_string(&page_path).expect("docs/cookbook.md");
    let lines: Vec<String> = page.lines().map(str::to_string).collect();
    let recipes = parse_recipes(&lines);
    let mut failures = promised_missing(&recipes);
    failures.extend(fixture_folders_missing(&recipes));
    let mut rewrites: Vec<Rewrite> = Vec::new();
    for recipe in &recipes {
        failures.extend(check_fixtures(recipe, update));
        let (recipe_failures, recipe_rewrites) = run_recipe(recipe);
        if update {
            rewrites.extend(recipe_rewrites);
        } else {
            failures.extend(recipe_failures);
        }
    }
    if update {
        fs::write(&page_path, rewrite(&lines, rewrites)).expect("rewrite docs/cookbook.md");
    }
    assert!(
        failures.is_empty(),
        "{} cookbook mismatch(es):\n\n{}\n\nIf the new output is right, accept it with \
         `UPDATE_COOKBOOK=1 cargo test --test cli cookbook` and review `git diff docs tests`.",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Cuts the page into recipes: a `##` heading opens a section, a marker makes it a recipe.
fn parse_recipes(lines: &[String]) -> Vec<Recipe> {
    let mut recipes: Vec<Recipe> = Vec::new();
    let mut heading = String::new();
    let mut in_recipe = false;
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        if let Some(title) = line.strip_prefix("## ") {
            heading = title.trim().to_string();
            in_recipe = false;
        } else if let Some(id) = marker(line) {
            recipes.push(Recipe {
                heading: heading.clone(),
                id,
                blocks: Vec::new(),
            });
            in_recipe = true;
        } else if let Some(info) = line.strip_prefix("```") {
            let start = i + 1;
            let end = (start..lines.len())
                .find(|&j| lines[j].trim_end() == "```")
                .unwrap_or_else(|| panic!("docs/cookbook.md:{}: unclosed block", i + 1));
            if in_recipe {
                let recipe = recipes.last_mut().expect("a recipe is open");
                recipe.blocks.push(Block {
                    info: info.trim().to_string(),
                    body: lines[start..end].to_vec(),
                    start,
                });
            }
            i = end;
        }
        i += 1;
    }
    recipes
}

/// `<!-- recipe: win-rate -->` → `win-rate`.
fn marker(line: &str) -> Option<String> {
    let inner = line
        .trim()
        .strip_prefix("<!-- recipe:")?
        .strip_suffix("-->")?;
    Some(inner.trim().to_string())
}

/// A file block's path: the second word of its info string (`csv data/deals.csv`).
fn file_path(block: &Block) -> Option<&str> {
    let mut words = block.info.split_whitespace();
    match (words.next(), words.next()) {
        (Some("console"), _) | (_, None) => None,
        (_, path) => path,
    }
}

fn promised_missing(recipes: &[Recipe]) -> Vec<String> {
    PROMISED
        .iter()
        .filter(|name| !recipes.iter().any(|r| r.heading == **name))
        .map(|name| format!("no recipe has the heading `## {name}` (with a recipe marker)"))
        .collect()
}

/// Every folder of `tests/cookbook/` must be a recipe of the page.
fn fixture_folders_missing(recipes: &[Recipe]) -> Vec<String> {
    let root = repo_root().join("tests").join("cookbook");
    let Ok(entries) = fs::read_dir(&root) else {
        return vec![format!("no folder {}", root.display())];
    };
    entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !recipes.iter().any(|r| &r.id == name))
        .map(|name| format!("tests/cookbook/{name}/ is not a recipe of docs/cookbook.md"))
        .collect()
}

/// The page's file blocks of a recipe must be its fixture files, and nothing else is there.
fn check_fixtures(recipe: &Recipe, update: bool) -> Vec<String> {
    let folder = repo_root().join("tests").join("cookbook").join(&recipe.id);
    let mut failures = Vec::new();
    let mut shown = BTreeSet::new();
    for block in &recipe.blocks {
        let Some(path) = file_path(block) else {
            continue;
        };
        shown.insert(path.to_string());
        let text = block_text(&block.body);
        let fixture = folder.join(path);
        if update {
            fs::create_dir_all(fixture.parent().expect("a folder")).expect("create dir");
            fs::write(&fixture, &text).expect("write fixture");
        } else if fs::read_to_string(&fixture).ok().as_deref() != Some(text.as_str()) {
            failures.push(format!(
                "{}: the block `{path}` is not tests/cookbook/{}/{path}",
                recipe.id, recipe.id
            ));
        }
    }
    if !shown.contains("kpis.toml") {
        failures.push(format!("{}: no ```toml kpis.toml block", recipe.id));
    }
    let present: BTreeSet<String> = relative_files(&folder)
        .iter()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    for extra in present.difference(&shown) {
        failures.push(format!(
            "{}: tests/cookbook/{}/{extra} is not shown in the recipe",
            recipe.id, recipe.id
        ));
    }
    failures
}

/// Runs each console block of a recipe; returns the mismatches and the blocks' real bodies.
fn run_recipe(recipe: &Recipe) -> (Vec<String>, Vec<Rewrite>) {
    let work = Workdir::new();
    for block in &recipe.blocks {
        if let Some(path) = file_path(block) {
            work.write(path, block_text(&block.body));
        }
    }
    let mut failures = Vec::new();
    let mut rewrites = Vec::new();
    let consoles: Vec<&Block> = recipe
        .blocks
        .iter()
        .filter(|b| b.info == "console")
        .collect();
    if consoles.is_empty() {
        failures.push(format!("{}: no ```console block", recipe.id));
    }
    for block in consoles {
        let place = format!("{} (docs/cookbook.md:{})", recipe.id, block.start + 1);
        let Some(command) = block.body.first().and_then(|l| l.strip_prefix("$ kpi ")) else {
            failures.push(format!("{place}: a console block starts with `$ kpi …`"));
            continue;
        };
        let args = shell_words(command);
        if !args.iter().any(|a| a == "--as-of") {
            failures.push(format!(
                "{place}: pass --as-of, or the output depends on today"
            ));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = work.run(&args);
        if out.code != 0 {
            failures.push(format!("{place}: exit {}:\n{}", out.code, out.stderr));
        }
        let actual = format!("{}{}", out.stdout, out.stderr);
        let expected = block_text(&block.body[1..]);
        if actual != expected {
            failures.push(format!(
                "{place}: the output differs (- page, + real):\n{}",
                diff(&expected, &actual)
            ));
        }
        let mut body = vec![block.body[0].clone()];
        body.extend(actual.lines().map(str::to_string));
        rewrites.push((block.start, block.start + block.body.len(), body));
    }
    (failures, rewrites)
}

/// A command line as a shell splits it: words, with '…' or "…" quoting spaces.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.get_or_insert_with(String::new).push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            (None, c) if c.is_whitespace() => words.extend(word.take()),
            (None, c) => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}

/// A block's lines as a file: each line ends with a newline.
fn block_text(lines: &[String]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// The page with the given line ranges replaced.
fn rewrite(lines: &[String], mut rewrites: Vec<Rewrite>) -> String {
    let mut lines = lines.to_vec();
    rewrites.sort_by_key(|r| std::cmp::Reverse(r.0));
    for (start, end, body) in rewrites {
        lines.splice(start..end, body);
    }
    block_text(&lines)
}

#[test]
fn shell_words_split_like_a_shell() {
    assert_eq!(
        shell_words(r#"run --as-of 2026-11-22 --by "Original Source" --kpi 'a b'"#),
        [
            "run",
            "--as-of",
            "2026-11-22",
            "--by",
            "Original Source",
            "--kpi",
            "a b"
        ]
    );
    assert_eq!(shell_words("run  --by ''"), ["run", "--by", ""]);
}

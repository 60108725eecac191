//! `kpi run --format html` in a real browser: headless Chromium loads the page with name
//! resolution disabled, the DOM holds every chart with a size, the page asks the network for
//! nothing, and a screenshot is kept in `target/test-artefacts/report.png`
//! (`UPDATE_SCREENSHOT=1` also writes the README's `docs/report.png`).
//!
//! `scripts/test` installs Chromium; without it the test fails, unless `KPI_SKIP_BROWSER_TEST=1`.

use crate::support::{repo_root, Workdir};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BROWSERS: [&str; 3] = ["chromium", "chromium-browser", "google-chrome"];
const WINDOW: (u32, u32) = (1200, 2400);
/// A browser that has not finished by then has hung.
const BROWSER_LIMIT: Duration = Duration::from_secs(120);

/// The repository's example with twelve months archived, so that the trends have a history.
fn example_report() -> Workdir {
    let work = Workdir::new();
    std::fs::copy(repo_root().join("kpis.toml"), work.path().join("kpis.toml")).expect("copy");
    work.copy_dir(&repo_root().join("examples"), "examples");
    work.run(&["backfill", "--from", "2025-11-01", "--as-of", "2026-11-22"])
        .expect_code(0);
    work.run(&[
        "run",
        "--as-of",
        "2026-11-22",
        "--report",
        "direction-monthly",
        "--format",
        "html",
        "-o",
        "report.html",
    ])
    .expect_code(0);
    work
}

/// The first browser found on the PATH.
fn browser() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| BROWSERS.map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Runs the browser headless on the page, offline, with a profile of its own (`profile`, a
/// folder of the work dir); returns stdout.
fn headless(browser: &Path, work: &Workdir, profile: &str, args: &[String]) -> String {
    let page = format!("file://{}", work.path().join("report.html").display());
    let profile = work.path().join(profile);
    let mut child = Command::new(browser)
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            // Any name the page (or the browser) looked up would fail: the page must not need one.
            "--host-resolver-rules=MAP * ~NOTFOUND",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--window-size={},{}", WINDOW.0, WINDOW.1))
        .args(args)
        .arg(&page)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the browser");
    let started = Instant::now();
    while child.try_wait().expect("wait for the browser").is_none() {
        if started.elapsed() > BROWSER_LIMIT {
            child.kill().ok();
            panic!(
                "{} did not finish within {BROWSER_LIMIT:?}",
                browser.display()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().expect("browser output");
    assert!(
        output.status.success(),
        "{} {args:?} failed: {}\n{}",
        browser.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Every `<svg …>` tag's width and height attributes (0 where missing or not a number).
fn svg_sizes(html: &str) -> Vec<(f64, f64)> {
    let attr = |tag: &str, name: &str| -> f64 {
        let key = format!(" {name}=\"");
        tag.find(&key)
            .and_then(|at| {
                let rest = &tag[at + key.len()..];
                rest[..rest.find('"')?].parse().ok()
            })
            .unwrap_or(0.0)
    };
    html.match_indices("<svg")
        .map(|(at, _)| {
            let tag = &html[at..at + html[at..].find('>').expect("end of tag")];
            (attr(tag, "width"), attr(tag, "height"))
        })
        .collect()
}

/// The URLs the page itself requested, from Chromium's net log: requests with an initiator
/// (the browser's own, such as update checks, have "not an origin" and are not the page's).
fn page_requests(net_log: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(net_log).expect("net log");
    let log: serde_json::Value = serde_json::from_str(&text).expect("net log is JSON");
    let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
        .as_i64()
        .expect("URL_REQUEST_START_JOB in the net log's constants");
    log["events"]
        .as_array()
        .expect("net log events")
        .iter()
        .filter(|e| e["type"].as_i64() == Some(start_job))
        .filter(|e| e["params"]["initiator"].as_str() != Some("not an origin"))
        .filter_map(|e| e["params"]["url"].as_str().map(str::to_string))
        .collect()
}

/// Width and height from a PNG's header.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert_eq!(&png[12..16], b"IHDR", "PNG without a header chunk");
    let number = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().expect("4 bytes"));
    (number(16), number(20))
}

/// The text of each `<text class="{class}" …>…</text>` of the page, in order.
fn texts<'a>(html: &'a str, class: &str) -> Vec<&'a str> {
    html.split(&format!("<text class=\"{class}\""))
        .skip(1)
        .filter_map(|rest| Some(&rest[rest.find('>')? + 1..rest.find("</text>")?]))
        .collect()
}

#[test]
fn the_example_report_has_period_labels_amounts_and_a_legend() {
    let work = example_report();
    let html = work.read("report.html");
    // Every trend: its first and last period under it, and some between.
    let trends = html.matches("<svg class=\"trend\"").count();
    assert!(trends >= 7, "{trends} trends");
    let periods = texts(&html, "period");
    assert!(periods.len() >= 3 * trends, "{periods:?}");
    assert_eq!(periods.iter().filter(|p| **p == "2025-11").count(), trends);
    assert_eq!(periods.iter().filter(|p| **p == "2026-10").count(), trends);
    // settings.currency = "EUR": the value, the delta, the target, the bars and the axis.
    for amount in [
        "<span class=\"value\">€1,352,350</span>",
        "▲ +€697,350 (+106.5 %)",
        "vs €655,000 in 2026-09",
        "Target <strong>€1,200,000</strong>",
        ">€642,650</text>",
        ">target €1.2M</text>",
    ] {
        assert!(html.contains(amount), "{amount} is missing");
    }
    // Win rate by region × channel has 15 groups: 12 bars, one line for the 3 others, and the
    // legend of its red bars.
    let card = &html[html.find("id=\"kpi-win_rate\"").expect("win rate card")..];
    let card = &card[..card.find("</article>").expect("end of card")];
    let channel = &card[card.find("By region × channel").expect("channel chart")..];
    assert_eq!(texts(channel, "bar-label").len(), 12, "{channel}");
    assert!(
        channel.contains(">3 more: 0.0 % to 10.0 % · 3 fail</p>"),
        "{channel}"
    );
    assert!(
        card.contains("Red = fail: <code>value &lt; 0.20</code></p>"),
        "{card}"
    );
    // Best first: the region bars of the win rate from highest to lowest.
    let regions = &card[card.find("By region</h3>").expect("region chart")..];
    let regions = &regions[..regions.find("</section>").expect("end of chart")];
    assert_eq!(texts(regions, "bar-label"), ["LATAM", "NA", "EMEA", "APAC"]);
}

#[test]
fn a_first_run_says_there_is_no_earlier_value() {
    let work = Workdir::new();
    std::fs::copy(repo_root().join("kpis.toml"), work.path().join("kpis.toml")).expect("copy");
    work.copy_dir(&repo_root().join("examples"), "examples");
    let args = ["run", "--as-of", "2026-11-22", "--report", "support-review"];
    let out = work.run(&[&args[..], &["--format", "html", "--no-archive"]].concat());
    out.expect_code(0);
    let card = &out.stdout[out
        .stdout
        .find("id=\"kpi-open_tickets\"")
        .expect("open tickets")..];
    let card = &card[..card.find("</article>").expect("end of card")];
    assert!(
        card.contains("<span class=\"previous\">no earlier value</span>"),
        "{card}"
    );
    assert!(!out.stdout.contains("vs – in"), "{}", out.stdout);
}

#[test]
fn a_breakdown_of_99_groups_draws_twelve_bars_and_sums_up_the_rest() {
    let work = Workdir::new();
    let mut data = String::from("account,closed_at,amount\n");
    for i in 0..99 {
        data.push_str(&format!(
            "acct-{i:02},2026-10-{:02},{}\n",
            i % 28 + 1,
            100 * (i + 1)
        ));
    }
    work.write("deals.csv", data);
    work.write(
        "kpis.toml",
        "[settings]\ncurrency = \"USD\"\n\n[sources.deals]\npath = \"deals.csv\"\n\n\
         [[kpi]]\nid = \"revenue\"\nsource = \"deals\"\ntime = \"closed_at\"\n\
         formula = \"sum(amount)\"\ndimensions = [\"account\"]\nunit = \"currency\"\n\
         fail = \"value < 500\"\n",
    );
    let out = work.run(&[
        "run",
        "--as-of",
        "2026-11-22",
        "--format",
        "html",
        "--no-archive",
    ]);
    out.expect_code(0);
    let html = &out.stdout;
    let bars = texts(html, "bar-label");
    assert_eq!(bars.len(), 12, "{bars:?}");
    assert_eq!((bars[0], bars[11]), ("acct-98", "acct-87"));
    assert!(html.contains(">$9,900</text>"), "{html}");
    assert!(
        html.contains(">87 more: $100 to $8,700 · 4 fail</p>"),
        "{html}"
    );
    assert!(
        html.contains("Red = fail: <code>value &lt; 500</code>"),
        "{html}"
    );
    // One chart of 12 rows: a card of ordinary height, not a long one.
    assert!(
        html.contains("<article class=\"card ok\" id=\"kpi-revenue\">"),
        "{html}"
    );
}

#[test]
fn the_html_report_renders_offline_in_a_browser() {
    let work = example_report();
    let html = work.read("report.html");
    for reference in [
        "http://", "https://", "src=", "<link", "<script", "@import", "url(",
    ] {
        assert!(!html.contains(reference), "the page references {reference}");
    }
    let Some(browser) = browser() else {
        if std::env::var("KPI_SKIP_BROWSER_TEST").as_deref() == Ok("1") {
            eprintln!(
                "note: no Chromium on the PATH; browser test skipped (KPI_SKIP_BROWSER_TEST=1)"
            );
            return;
        }
        panic!(
            "no browser found on the PATH (tried {}): install Debian's `chromium` package \
             (`apt-get install chromium`, as scripts/test does), or set KPI_SKIP_BROWSER_TEST=1 to skip",
            BROWSERS.join(", ")
        );
    };

    let net_log = work.path().join("net-log.json");
    let dom = headless(
        &browser,
        &work,
        "profile-dom",
        &[
            "--dump-dom".to_string(),
            format!("--log-net-log={}", net_log.display()),
        ],
    );
    assert!(
        dom.contains("<h1>Direction — monthly review</h1>"),
        "the page did not load:\n{dom}"
    );
    let sizes = svg_sizes(&dom);
    assert_eq!(
        sizes.len(),
        svg_sizes(&html).len(),
        "every chart is in the DOM"
    );
    assert!(
        sizes.len() >= 15,
        "trends, progress bars and breakdowns: {sizes:?}"
    );
    for (width, height) in &sizes {
        assert!(
            *width > 0.0 && *height > 0.0,
            "a chart without a size: {sizes:?}"
        );
    }
    let requests = page_requests(&net_log);
    assert!(requests.is_empty(), "the page requested {requests:?}");

    let shot = work.path().join("report.png");
    // Painting may fetch what loading did not (a CSS background, a font): log this run too.
    let shot_log = work.path().join("net-log-screenshot.json");
    let args = [
        format!("--screenshot={}", shot.display()),
        format!("--log-net-log={}", shot_log.display()),
    ];
    headless(&browser, &work, "profile-shot", &args);
    let requests = page_requests(&shot_log);
    assert!(requests.is_empty(), "the page requested {requests:?}");
    let png = std::fs::read(&shot).expect("screenshot");
    assert_eq!(png_size(&png), WINDOW);
    assert!(
        png.len() > 50_000,
        "a blank screenshot? {} bytes",
        png.len()
    );
    // Printed, as a mail recipient would (A4, see the print style).
    let pdf = work.path().join("report.pdf");
    let args = [
        format!("--print-to-pdf={}", pdf.display()),
        "--no-pdf-header-footer".to_string(),
    ];
    headless(&browser, &work, "profile-pdf", &args);
    let pdf = std::fs::read(&pdf).expect("the printed PDF");
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    assert!(pdf.len() > 20_000, "an empty PDF? {} bytes", pdf.len());
    let artefacts = repo_root().join("target").join("test-artefacts");
    std::fs::create_dir_all(&artefacts).expect("artefact folder");
    std::fs::write(artefacts.join("report.png"), &png).expect("save the screenshot");
    if std::env::var("UPDATE_SCREENSHOT").as_deref() == Ok("1") {
        std::fs::write(repo_root().join("docs").join("report.png"), &png).expect("docs/report.png");
    }
}

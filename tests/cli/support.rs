//! A small harness: a temporary folder with files, and the `kpi` binary run in it with a
//! deterministic environment (no colour, UTC, no inherited KPI_CONFIG).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Workdir {
    dir: tempfile::TempDir,
}

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Output {
    /// Asserts the exit code, showing both streams when it differs.
    pub fn expect_code(&self, code: i32) -> &Output {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout:\n{}\n--- stderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (creating folders), relative to the work dir.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create dir");
        }
        std::fs::write(&path, contents).expect("write file");
        path
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).expect("read file")
    }

    pub fn exists(&self, name: &str) -> bool {
        self.dir.path().join(name).exists()
    }

    /// Runs `kpi ARGS` in the work dir.
    pub fn run(&self, args: &[&str]) -> Output {
        Output::of(self.command(args).output().expect("run kpi"))
    }

    /// `kpi ARGS` in the work dir with the deterministic environment, not yet started: for a
    /// test that needs another folder, an environment variable or the child's pipes.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_kpi"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("KPI_CONFIG")
            .env_remove("KPI_THREADS")
            .env_remove("KPI_PIECE_BYTES")
            .env_remove("COLUMNS")
            .env("NO_COLOR", "1")
            .env("TZ", "UTC");
        command
    }

    /// Copies a folder's contents (recursively) into the work dir, under `to` ("" for the root).
    pub fn copy_dir(&self, from: &Path, to: &str) {
        copy_tree(from, &self.dir.path().join(to));
    }
}

impl Output {
    /// What a finished `kpi` process printed and how it ended.
    pub fn of(output: std::process::Output) -> Output {
        Output {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            code: output.status.code().unwrap_or(-1),
        }
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// `kpi run` of October 2026 as CSV, without the archive.
pub const RUN_CSV: [&str; 6] = [
    "run",
    "--as-of",
    "2026-11-15",
    "--no-archive",
    "--format",
    "csv",
];

/// The bundled example in a work dir: kpis.toml and examples/.
pub fn example() -> Workdir {
    let work = Workdir::new();
    work.copy_dir(&repo_root().join("examples"), "examples");
    work.write(
        "kpis.toml",
        std::fs::read(repo_root().join("kpis.toml")).expect("kpis.toml"),
    );
    work
}

/// The repository root (for the bundled kpis.toml and examples).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

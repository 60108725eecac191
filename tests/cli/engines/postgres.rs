//! A throwaway PostgreSQL server for one test: initdb in a temporary folder, started on a free
//! port of 127.0.0.1, stopped (and removed) when dropped. Run as the `postgres` user when the
//! tests run as root (the server refuses root).

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Postgres {
    bin: PathBuf,
    dir: tempfile::TempDir,
    pub port: u16,
    as_postgres: bool,
}

/// The server's binaries: $KPI_TEST_PG_BIN, else the newest /usr/lib/postgresql/*/bin.
fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("KPI_TEST_PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.flatten().map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    versions.sort();
    versions
        .pop()
        .filter(|b| b.join("postgres").exists())
        .unwrap_or_else(|| {
            panic!(
                "no PostgreSQL server found (/usr/lib/postgresql/*/bin): `.ci/run` installs the \
             Debian package postgresql; or set KPI_TEST_PG_BIN"
            )
        })
}

impl Postgres {
    pub fn start() -> Postgres {
        let as_postgres = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
        let dir = tempfile::tempdir().expect("temp dir");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let server = Postgres {
            bin: bin_dir(),
            dir,
            port,
            as_postgres,
        };
        if as_postgres {
            let status = Command::new("chown")
                .args(["-R", "postgres"])
                .arg(server.dir.path())
                .status();
            assert!(status.is_ok_and(|s| s.success()), "chown the server folder");
        }
        let data = server.data().display().to_string();
        server.pg(
            "initdb",
            // A real-world collation (ICU, en-US), in which text does not sort byte by byte as
            // kpi compares it: the query must say COLLATE "C".
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--locale-provider=icu",
                "--icu-locale=en-US",
            ],
        );
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            server.dir.path().display()
        );
        let log = server.dir.path().join("log").display().to_string();
        server.pg(
            "pg_ctl",
            &["-D", &data, "-o", &options, "-l", &log, "-w", "start"],
        );
        server
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// One of the server's programs, to be run as `postgres` when the tests run as root.
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if !self.as_postgres {
            return Command::new(path);
        }
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(path);
        command
    }

    /// Runs one of the server's programs; panics on failure.
    fn pg(&self, program: &str, args: &[&str]) {
        let out = self
            .command(program)
            .args(args)
            .output()
            .expect("run a PostgreSQL program");
        assert!(
            out.status.success(),
            "{program} {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// psql with these arguments, in `cwd` (for `\copy`); returns stdout, panics on an error.
    pub fn psql(&self, cwd: &Path, args: &[&str]) -> String {
        let out = Command::new(self.bin.join("psql"))
            .current_dir(cwd)
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
            ])
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1"])
            .args(args)
            .output()
            .expect("run psql");
        assert!(
            out.status.success(),
            "psql {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.data().display().to_string();
        let stop = ["-D", data.as_str(), "-m", "immediate", "stop"];
        let _ = self.command("pg_ctl").args(stop).output();
    }
}

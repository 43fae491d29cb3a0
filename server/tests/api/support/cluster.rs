//! A PostgreSQL cluster of a test's own, for faults that would disturb the shared one (a
//! restart, a stop). Started like `scripts/with-postgres.sh` starts the shared one.

use std::path::PathBuf;
use std::process::Command;

pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
}

impl Cluster {
    pub fn start() -> Self {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL is installed (scripts/install-tools.sh --test)")
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|b| b.join("initdb").exists())
            .max()
            .expect("a PostgreSQL with initdb");
        let dir =
            std::env::temp_dir().join(format!("vitrine-pg-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let cluster = Self { dir, bin, port };
        if is_root() {
            // The server refuses to run as root.
            let chown = Command::new("chown")
                .arg("postgres:postgres")
                .arg(&cluster.dir)
                .status()
                .unwrap();
            assert!(chown.success());
        }
        cluster.pg(
            "initdb",
            &[
                "-D",
                &cluster.data(),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
            ],
        );
        cluster.pg_ctl(&[
            "start",
            "-w",
            "-l",
            &cluster.log(),
            "-o",
            &cluster.options(),
        ]);
        cluster
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops at once, dropping every connection (as a crash or a failover does).
    pub fn stop(&self) {
        self.pg_ctl(&["stop", "-w", "-m", "immediate"]);
    }

    pub fn start_again(&self) {
        self.pg_ctl(&["start", "-w", "-l", &self.log(), "-o", &self.options()]);
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    fn log(&self) -> String {
        self.dir.join("log").display().to_string()
    }

    fn options(&self) -> String {
        format!(
            "-k {} -p {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.dir.display(),
            self.port
        )
    }

    fn pg_ctl(&self, args: &[&str]) {
        let data = self.data();
        let mut all = vec!["-D", data.as_str()];
        all.extend_from_slice(args);
        self.pg("pg_ctl", &all);
    }

    /// Runs one of PostgreSQL's programs (as the `postgres` user when this is root).
    fn pg(&self, program: &str, args: &[&str]) {
        let out = self.run(program, args);
        assert!(
            out.status.success(),
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn run(&self, program: &str, args: &[&str]) -> std::process::Output {
        let program = self.bin.join(program);
        let mut cmd = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        cmd.args(args).output().unwrap()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self.run("pg_ctl", &["-D", &data, "stop", "-m", "immediate"]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

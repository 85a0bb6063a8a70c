//! A real SMTP server for the tests that send mail: Python's aiosmtpd on a free local port,
//! delivering into a Maildir; killed when dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub struct SmtpSink {
    child: Child,
    pub port: u16,
    pub maildir: PathBuf,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SmtpSink {
    /// Start one delivering into `dir/maildir`.
    pub fn start(dir: &Path) -> SmtpSink {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let maildir = dir.join("maildir");
        let mut child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 with aiosmtpd (scripts/test.sh installs it)");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return SmtpSink {
                    child,
                    port,
                    maildir,
                };
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("aiosmtpd did not start on port {port} (is it installed? pip install aiosmtpd)");
    }

    /// The files of the messages delivered so far.
    pub fn files(&self) -> Vec<PathBuf> {
        match std::fs::read_dir(self.maildir.join("new")) {
            Ok(dir) => dir.map(|e| e.unwrap().path()).collect(),
            Err(_) => Vec::new(),
        }
    }

    /// The messages delivered so far, as text.
    pub fn messages(&self) -> Vec<String> {
        self.files()
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    }
}

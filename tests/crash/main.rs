//! The server process is killed with SIGKILL again and again while a client
//! pushes. After every restart the database must pass SQLite's
//! `integrity_check`, and every mutation the server acknowledged must be
//! there. The server is the real binary (`nimo-test-server` is its `main`),
//! on 127.0.0.1, with the real file and `synchronous = FULL`.

use std::process::Stdio;
use std::time::Duration;

use nimo_core::sync::collection::Visibility;
use nimo_core::sync::ids::RecordId;
use nimo_core::sync::protocol::{AckResult, Mutation};
use nimo_tests::protocol::{client_id, contact, pull_all, push_request, stamp};
use nimo_tests::sim::Rng;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_nimo-test-server");
const ROUNDS: usize = 12;
const BATCH: usize = 25;

async fn start(db: &std::path::Path, port: u16) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--api-only", "--listen", &format!("127.0.0.1:{port}"), "--database"])
        .arg(db)
        .env("NIMO_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the server binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
        .await
        .expect("the server says where it listens")
        .expect("read stdout")
        .expect("a line");
    let url = line.strip_prefix("nimo listening on ").expect("the listening line").to_owned();
    (child, url)
}

fn integrity_ok(db: &std::path::Path) {
    let conn = rusqlite::Connection::open(db).expect("open after the crash");
    let result: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("integrity_check");
    assert_eq!(result, "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_pushes_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nimo.sqlite3");

    // First-run setup through the real command, as an operator would.
    let out = std::process::Command::new(BIN)
        .args(["create-group", "--name", "クラッシュ試験の会", "--database"])
        .arg(&db)
        .output()
        .expect("create-group runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8_lossy(&out.stdout);
    let code = printed.lines().find_map(|l| l.trim().strip_prefix("code: ")).expect("the invite code is printed").to_owned();

    let (mut server, base) = start(&db, 0).await;
    let port: u16 = base.rsplit(':').next().unwrap().parse().unwrap();
    let phone = nimo_tests::phone::join(&base, nimo_tests::new_client(), &code, "crash", &nimo_tests::passphrase_of("crash")).await;
    let (http, ring) = (phone.client.clone(), phone.ring.clone());
    let group = phone.me.groups[0].id.clone();

    let client = client_id(7);
    let mut rng = Rng::new(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64);
    let mut next_seq = 1u64;
    let mut pending: Vec<Mutation> = Vec::new();
    let mut acknowledged: Vec<(RecordId, String)> = Vec::new();
    let mut kills = 0;

    for round in 0..ROUNDS {
        // Kill the server at a random moment during this round's pushes.
        let delay = Duration::from_millis(20 + rng.below(200) as u64);
        let pid = server.id().expect("running");
        let killer = tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let _ = std::process::Command::new("kill").args(["-9", &pid.to_string()]).status();
        });
        loop {
            if pending.is_empty() {
                for _ in 0..BATCH {
                    let n = next_seq;
                    let mut random = [0u8; 10];
                    random[..8].copy_from_slice(&rng.next().to_le_bytes());
                    let id = RecordId::new_v7(1_790_000_000_000 + n, random);
                    let t = stamp(1_790_000_000_000 + n, &client);
                    // Sealed as the phone seals it.
                    let m = contact(n, &id, &group, Visibility::Private, &t, &format!("round {round} note {n}"));
                    pending.push(nimo_tests::phone::seal(&ring, m, Visibility::Private));
                    next_seq += 1;
                }
            }
            let request = push_request(&client, pending.clone());
            let Ok(response) = http.post(format!("{base}/api/sync/push")).json(&request).send().await else { break };
            let Ok(body) = response.json::<nimo_core::sync::protocol::PushResponse>().await else { break };
            for ack in &body.acks {
                assert!(matches!(ack.result, AckResult::Applied | AckResult::Duplicate), "{ack:?}");
                let m = pending.iter().find(|m| m.seq == ack.seq).expect("acked a sent mutation");
                // The sealed text as sent: the server must hold exactly it.
                let note = match &m.op {
                    nimo_core::sync::protocol::Op::Put { fields, .. } => fields.iter().find(|f| f.field == "note").unwrap().v.as_str().unwrap().to_owned(),
                    _ => unreachable!(),
                };
                acknowledged.push((m.id.clone(), note));
            }
            let acked: Vec<u64> = body.acks.iter().map(|a| a.seq).collect();
            pending.retain(|m| !acked.contains(&m.seq));
        }
        killer.await.unwrap();
        let status = server.wait().await.expect("the server exits");
        assert!(!status.success(), "the server was killed, not stopped");
        kills += 1;
        integrity_ok(&db);
        let (s, _) = start(&db, port).await;
        server = s;
    }

    // Everything acknowledged is there, with the text that was sent.
    let pages = pull_all(&http, &base, None).await;
    let mut held = std::collections::HashMap::new();
    for page in pages {
        for r in page.records {
            held.insert(r.id.clone(), r.text("note").map(str::to_owned));
            // And it opens to what was written.
            assert!(ring.open_record(&r).0.text("note").is_some_and(|n| n.starts_with("round ")), "record {} does not open", r.id);
        }
    }
    assert!(acknowledged.len() > ROUNDS, "the test pushed something ({} acknowledged)", acknowledged.len());
    for (id, note) in &acknowledged {
        assert_eq!(held.get(id), Some(&Some(note.clone())), "acknowledged record {id} is missing or changed");
    }
    eprintln!("{kills} kills, {} acknowledged mutations, all present", acknowledged.len());
    let _ = server.kill().await;
    integrity_ok(&db);
}

/// A supervisor or a script may close the server's stdout (`nimo-server
/// serve | head -1`). The server then gets EPIPE on every later line it
/// writes; it must go on serving, not die of a message. Here stdout is a
/// pipe whose reading end is closed before the server starts, so every
/// line it writes there fails, the first-run setup link included (the
/// database is new).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_stdout_does_not_stop_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nimo.sqlite3");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let mut server = Command::new(BIN)
        .args(["serve", "--api-only", "--listen", &format!("127.0.0.1:{port}"), "--database"])
        .arg(&db)
        .env("NIMO_LOG", "warn")
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the server binary starts");
    let client = reqwest::Client::new();
    let health = format!("http://127.0.0.1:{port}/api/health");
    let mut answered = None;
    for _ in 0..200 {
        if let Some(status) = server.try_wait().expect("the server's state") {
            let mut err = String::new();
            if let Some(mut e) = server.stderr.take() {
                use tokio::io::AsyncReadExt as _;
                let _ = e.read_to_string(&mut err).await;
            }
            panic!("the server exited ({status}) when its stdout was closed: {err}");
        }
        if let Ok(r) = client.get(&health).send().await {
            answered = Some(r.status());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(answered, Some(reqwest::StatusCode::OK), "the server answers with its stdout closed");
    // Still serving a moment later, after every startup line was written.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(server.try_wait().expect("the server's state").is_none(), "the server is still running");
    assert_eq!(client.get(&health).send().await.expect("a second answer").status(), reqwest::StatusCode::OK);
    let _ = server.kill().await;
}

//! `nimo-seed`: a phone without a screen, for the browser tests and the
//! benchmark (`tests/browser/seed.mjs` drives it). It joins, signs in,
//! invites and writes records through the server's API exactly as the app
//! does — keys made and opened on this side, every value sealed — so that
//! what the browser under test pulls is what another member's phone would
//! have sent.
//!
//! One JSON command per line on stdin, one JSON answer per line on stdout
//! (`{"ok": …}` or `{"error": "…"}`):
//! - `{"op": "join", "base", "code", "login", "passphrase"}` → `me`
//! - `{"op": "login", "base", "login", "passphrase"}` → `me`
//! - `{"op": "invite", "role"}` → the code
//! - `{"op": "create", "records": [{"collection", "visibility", "fields"}], "batch"}`
//!   → how many were written (each a new record, values sealed)
//! - `{"op": "request", "method", "path", "body"}` → the server's JSON answer
//! - `{"op": "open", "records": [...]}` → the records opened with this phone's keys
//! - `{"op": "refresh"}`: this phone's keys fetched again (after a removal)
//! - `{"op": "tamper", "database", "how": "swap" | "flip", "ids": [a, b]}`:
//!   what a hostile server would do to its own database — two records'
//!   `note` values swapped, or one character of one changed (the tests of
//!   what a phone does with a value that does not open)
//! - `{"op": "unseal", "database"}`: every record in the database opened
//!   with this phone's keys and written back as before sealing (values as
//!   they are, no record keys), for the benchmark's comparison of a sealed
//!   pull with the same pull unsealed

use std::io::{BufRead, Write};

use nimo_core::sync::collection::{Collection, Role, Visibility};
use nimo_core::sync::hlc::Hlc;
use nimo_core::sync::ids::{ClientId, RecordId};
use nimo_core::sync::protocol::{AckResult, FieldWrite, Mutation, Op, PushRequest, PushResponse};
use nimo_core::sync::record::{Record, Stamped};
use nimo_tests::phone::{self, Phone};
use serde_json::{Value, json};

struct Seed {
    base: String,
    phone: Option<Phone>,
    client: ClientId,
    seq: u64,
    counter: u16,
}

fn random<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    nimo_core::crypto::Random::fill(&phone::rng(), &mut out);
    out
}

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

fn text<'a>(v: &'a Value, key: &str) -> Result<&'a str, String> {
    v.get(key).and_then(Value::as_str).ok_or_else(|| format!("missing {key}"))
}

impl Seed {
    fn phone(&self) -> Result<&Phone, String> {
        self.phone.as_ref().ok_or_else(|| "join or log in first".to_owned())
    }

    async fn run(&mut self, command: &Value) -> Result<Value, String> {
        let http = || reqwest::Client::builder().cookie_store(true).no_proxy().build().expect("client");
        match text(command, "op")? {
            "join" => {
                self.base = text(command, "base")?.to_owned();
                let p = phone::join(&self.base, http(), text(command, "code")?, text(command, "login")?, text(command, "passphrase")?).await;
                let me = serde_json::to_value(&p.me).map_err(|e| e.to_string())?;
                self.phone = Some(p);
                Ok(me)
            }
            "login" => {
                self.base = text(command, "base")?.to_owned();
                let p = phone::login(&self.base, http(), text(command, "login")?, text(command, "passphrase")?).await;
                let me = serde_json::to_value(&p.me).map_err(|e| e.to_string())?;
                self.phone = Some(p);
                Ok(me)
            }
            "invite" => {
                let role = Role::from_id(command.get("role").and_then(Value::as_str).unwrap_or("member")).ok_or("a role")?;
                Ok(Value::String(phone::invite(&self.base, self.phone()?, role).await))
            }
            "create" => self.create(command).await,
            "request" => {
                let p = self.phone()?;
                let method = reqwest::Method::from_bytes(text(command, "method")?.as_bytes()).map_err(|e| e.to_string())?;
                let mut request = p.client.request(method, format!("{}{}", self.base, text(command, "path")?));
                if let Some(body) = command.get("body").filter(|b| !b.is_null()) {
                    request = request.json(body);
                }
                let r = request.send().await.map_err(|e| e.to_string())?;
                let status = r.status();
                let body = r.text().await.map_err(|e| e.to_string())?;
                if !status.is_success() {
                    return Err(format!("{status} {body}"));
                }
                Ok(if body.is_empty() { Value::Null } else { serde_json::from_str(&body).map_err(|e| e.to_string())? })
            }
            "open" => {
                let p = self.phone()?;
                let records: Vec<Record> = serde_json::from_value(command.get("records").cloned().unwrap_or_default()).map_err(|e| e.to_string())?;
                Ok(Value::Array(records.iter().map(|r| serde_json::to_value(p.ring.open_record(r).0).unwrap_or_default()).collect()))
            }
            "tamper" => tamper(command),
            "unseal" => unseal(self.phone()?, command),
            "refresh" => {
                let p = self.phone.as_mut().ok_or("join or log in first")?;
                p.ring = phone::keyring(&self.base, &p.client, &p.me, &p.ring.secret().clone()).await;
                Ok(Value::Null)
            }
            other => Err(format!("unknown op {other}")),
        }
    }

    /// New records, each sealed as a phone seals it, pushed in batches.
    async fn create(&mut self, command: &Value) -> Result<Value, String> {
        let records = command.get("records").and_then(Value::as_array).ok_or("records")?.clone();
        let batch = command.get("batch").and_then(Value::as_u64).unwrap_or(500).max(1) as usize;
        let start = now_ms() - 86_400_000;
        let mut written = 0;
        let (mut seq, mut counter, client) = (self.seq, self.counter, self.client);
        for (b, chunk) in records.chunks(batch).enumerate() {
            let p = self.phone()?;
            let group = p.me.groups[0].id.clone();
            let mut mutations = Vec::with_capacity(chunk.len());
            for (j, r) in chunk.iter().enumerate() {
                let ms = start + (b * batch + j) as u64;
                counter = counter.wrapping_add(1);
                let t = Hlc::new(ms, counter, client);
                let collection = Collection::from_id(text(r, "collection")?).ok_or("a collection")?;
                let visibility = Visibility::from_id(text(r, "visibility")?).ok_or("a visibility")?;
                let fields = r.get("fields").and_then(Value::as_object).ok_or("fields")?;
                let m = Mutation {
                    seq,
                    id: RecordId::new_v7(ms, random()),
                    collection,
                    group: group.clone(),
                    op: Op::Put {
                        visibility: Some(Stamped::new(visibility, t)),
                        fields: fields.iter().map(|(f, v)| FieldWrite { field: f.clone(), v: v.clone(), t, base: None }).collect(),
                    },
                };
                let schema = nimo_core::collections::schema(collection);
                m.validate(schema).map_err(|e| format!("{}: {}", e.path, e.message))?;
                mutations.push(phone::seal(&p.ring, m, visibility));
                seq += 1;
            }
            let request = PushRequest { schema: nimo_core::SCHEMA_VERSION, client, epoch: None, mutations };
            let r = p.client.post(format!("{}/api/sync/push", self.base)).json(&request).send().await.map_err(|e| e.to_string())?;
            if !r.status().is_success() {
                return Err(format!("push: {} {}", r.status(), r.text().await.unwrap_or_default()));
            }
            let answer: PushResponse = r.json().await.map_err(|e| e.to_string())?;
            if let Some(rejected) = answer.acks.iter().find(|a| matches!(a.result, AckResult::Rejected { .. })) {
                return Err(format!("rejected: {rejected:?}"));
            }
            written += chunk.len();
            self.seq = seq;
            self.counter = counter;
        }
        Ok(json!(written))
    }
}

/// A hostile server's edit of its own database (stopped or not: SQLite's
/// WAL lets it write beside the running server).
fn tamper(command: &Value) -> Result<Value, String> {
    let conn = rusqlite::Connection::open(text(command, "database")?).map_err(|e| e.to_string())?;
    let ids: Vec<String> = command.get("ids").and_then(Value::as_array).ok_or("ids")?.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect();
    let body = |id: &str| -> Result<Value, String> {
        let text: String = conn.query_row("SELECT body FROM records WHERE id = ?1", [id], |r| r.get(0)).map_err(|e| format!("{id}: {e}"))?;
        serde_json::from_str(&text).map_err(|e| e.to_string())
    };
    let write = |id: &str, v: &Value| -> Result<(), String> {
        conn.execute("UPDATE records SET body = ?2 WHERE id = ?1", rusqlite::params![id, v.to_string()]).map(drop).map_err(|e| e.to_string())
    };
    match text(command, "how")? {
        "swap" => {
            let (a, b) = (ids.first().ok_or("two ids")?, ids.get(1).ok_or("two ids")?);
            let (mut ra, mut rb) = (body(a)?, body(b)?);
            let (na, nb) = (ra["fields"]["note"]["v"].clone(), rb["fields"]["note"]["v"].clone());
            ra["fields"]["note"]["v"] = nb;
            rb["fields"]["note"]["v"] = na;
            write(a, &ra)?;
            write(b, &rb)?;
        }
        "flip" => {
            let a = ids.first().ok_or("an id")?;
            let mut r = body(a)?;
            let sealed = r["fields"]["note"]["v"].as_str().ok_or("a sealed note")?.to_owned();
            let at = sealed.len() - 5;
            let flipped: String = sealed.char_indices().map(|(i, c)| if i == at { if c == 'A' { 'B' } else { 'A' } } else { c }).collect();
            r["fields"]["note"]["v"] = Value::String(flipped);
            write(a, &r)?;
        }
        other => return Err(format!("no such tampering: {other}")),
    }
    Ok(Value::Null)
}

fn unseal(p: &Phone, command: &Value) -> Result<Value, String> {
    let mut conn = rusqlite::Connection::open(text(command, "database")?).map_err(|e| e.to_string())?;
    let tx = conn.transaction().map_err(|e| e.to_string())?;
    let rows: Vec<(String, String)> = {
        let mut q = tx.prepare("SELECT id, body FROM records").map_err(|e| e.to_string())?;
        q.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(|e| e.to_string())?.collect::<Result<_, _>>().map_err(|e| e.to_string())?
    };
    let mut written = 0u64;
    for (id, text) in rows {
        let mut body: Value = serde_json::from_str(&text).map_err(|e| format!("{id}: {e}"))?;
        let record: Record = serde_json::from_value(body.clone()).map_err(|e| format!("{id}: {e}"))?;
        let (opened, unreadable) = p.ring.open_record(&record);
        if !unreadable.is_empty() {
            return Err(format!("{id}: {} values do not open", unreadable.len()));
        }
        let fields = body.get_mut("fields").and_then(Value::as_object_mut).ok_or_else(|| format!("{id}: no fields"))?;
        fields.retain(|name, _| !nimo_core::crypto::seal::is_key_field(name));
        for (name, stamped) in fields.iter_mut() {
            stamped["v"] = opened.fields.get(name).map(|s| s.v.clone()).unwrap_or(Value::Null);
        }
        tx.execute("UPDATE records SET body = ?2 WHERE id = ?1", rusqlite::params![id, body.to_string()]).map_err(|e| e.to_string())?;
        written += 1;
    }
    tx.commit().map_err(|e| e.to_string())?;
    Ok(json!(written))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut seed = Seed { base: String::new(), phone: None, client: ClientId::from_random(random()), seq: 1, counter: 0 };
    let stdin = std::io::stdin();
    let mut out = std::io::stdout();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        let answer = match serde_json::from_str::<Value>(&line) {
            Ok(command) => match seed.run(&command).await {
                Ok(v) => json!({ "ok": v }),
                Err(e) => json!({ "error": e }),
            },
            Err(e) => json!({ "error": format!("not JSON: {e}") }),
        };
        let _ = writeln!(out, "{answer}");
        let _ = out.flush();
    }
}

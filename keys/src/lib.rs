//! The key module: what the app needs a few times in a device's life —
//! signing in, joining, inviting, removing a member, changing the
//! passphrase, recovering — and never offline: Argon2id and X25519, the
//! server calls between them, and QR codes, all of which the app's first
//! visit would otherwise carry. Built as its own WebAssembly module (`cargo
//! xtask build`), fetched the first time the app needs it and kept by the
//! service worker (see ARCHITECTURE.md, "End-to-end encryption").
//!
//! Each export is one step a person takes ([`flows`]: signing in, joining,
//! the first run, recovering, changing the passphrase, joining a group,
//! inviting, removing a member, a group's recovery key), with the server's
//! calls ([`http`]) and the keys' work between them; and the keyring opened
//! again when the group's keys changed, and a QR code drawn. Strings in and
//! out (JSON text, keys in base64); a failure is thrown as JSON text the
//! app reads into its own errors (nothing secret is in it).

mod flows;
mod http;

use nimo_core::crypto::account as acc;
use nimo_core::crypto::keyring::Keyring;
use nimo_core::sync::wire::Wire;
use serde_json::Value;
use wasm_bindgen::prelude::*;

type Out = Result<String, JsValue>;

fn fail(e: impl std::fmt::Display) -> JsValue {
    http::Failure::Failed(e.to_string()).into_js()
}

/// The browser's cryptographic random source.
pub(crate) fn rng() -> impl nimo_core::crypto::Random {
    |out: &mut [u8]| {
        let crypto = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("crypto")).ok();
        let get = crypto.as_ref().and_then(|c| js_sys::Reflect::get(c, &JsValue::from_str("getRandomValues")).ok());
        match (crypto, get.and_then(|g| g.dyn_into::<js_sys::Function>().ok())) {
            (Some(c), Some(get)) => {
                for chunk in out.chunks_mut(65_536) {
                    let array = js_sys::Uint8Array::new_with_length(chunk.len() as u32);
                    let _ = get.call1(&c, &array);
                    array.copy_to(chunk);
                }
            }
            // No WebCrypto: no secure context. Never silently weak.
            _ => wasm_bindgen::throw_str("crypto.getRandomValues is not available"),
        }
    }
}

fn read<T: Wire>(json: &str) -> Result<T, JsValue> {
    let v = nimo_core::base::json::parse(json).map_err(fail)?;
    T::from_wire(&v).map_err(|e| fail(e.0))
}

fn print(v: &Value) -> String {
    nimo_core::base::json::print_value(v)
}

fn done(r: Result<String, http::Failure>) -> Out {
    r.map_err(http::Failure::into_js)
}

/// Signs in: `{me, keyring}`.
#[wasm_bindgen]
pub async fn sign_in(login: String, passphrase: String, device_name: String, bearer: bool) -> Out {
    done(flows::sign_in(&login, &passphrase, &device_name, bearer).await)
}

/// Joins with an invite code: `{me, keyring, keep: {recovery, group}}`.
#[wasm_bindgen]
pub async fn join(code: String, login: String, display_name: String, passphrase: String, device_name: String, bearer: bool) -> Out {
    done(flows::join(&code, &login, &display_name, &passphrase, &device_name, bearer).await)
}

/// The first run: `{me, keyring, keep}`.
#[wasm_bindgen]
pub async fn setup(token: String, group_name: String, login: String, display_name: String, passphrase: String, device_name: String, bearer: bool) -> Out {
    done(flows::setup(&token, &group_name, &login, &display_name, &passphrase, &device_name, bearer).await)
}

/// A new passphrase set with the recovery key: `{me, keyring}`.
#[wasm_bindgen]
pub async fn recover(login: String, recovery: String, new_passphrase: String, device_name: String, bearer: bool) -> Out {
    done(flows::recover(&login, &recovery, &new_passphrase, &device_name, bearer).await)
}

#[wasm_bindgen]
pub async fn change_passphrase(bearer: Option<String>, keyring: String, login: String, current: String, new_passphrase: String) -> Out {
    done(flows::change_passphrase(bearer.as_deref(), &keyring, &login, &current, &new_passphrase).await)
}

/// Joins another group: `{me, keyring, keep}`.
#[wasm_bindgen]
pub async fn join_group(bearer: Option<String>, keyring: String, code: String) -> Out {
    done(flows::join_group(bearer.as_deref(), &keyring, &code).await)
}

/// An invite: `{created, code, keyring}`.
#[wasm_bindgen]
pub async fn create_invite(bearer: Option<String>, keyring: String, group: String, role: String, days: u32, max_uses: u32, readmit: Option<String>) -> Out {
    done(flows::create_invite(bearer.as_deref(), &keyring, &group, &role, days, max_uses, readmit).await)
}

/// Removes a member with the group's next key: `{keyring}`.
#[wasm_bindgen]
pub async fn remove_member(bearer: Option<String>, keyring: String, group: String, member: String) -> Out {
    done(flows::remove_member(bearer.as_deref(), &keyring, &group, &member).await)
}

/// A group's key from its recovery key: `{keyring}`.
#[wasm_bindgen]
pub async fn recover_group(bearer: Option<String>, keyring: String, group: String, recovery: String) -> Out {
    done(flows::recover_group(bearer.as_deref(), &keyring, &group, &recovery).await)
}

/// The keyring again from `GET /api/keys`'s answer (the group's keys
/// changed): the keyring's JSON.
#[wasm_bindgen]
pub fn keyring(keyring: &str, keys_info_json: &str) -> Out {
    let ring = Keyring::from_value(&nimo_core::base::json::parse(keyring).map_err(fail)?).map_err(fail)?;
    let info: nimo_core::api::KeysInfo = read(keys_info_json)?;
    let (ring, _) = acc::keyring(&ring.user, ring.secret(), &info).map_err(fail)?;
    Ok(print(&ring.to_value()))
}

/// A QR code as `size` and an SVG path (`"29 M4 4h1v1h-1z…"`).
#[wasm_bindgen]
pub fn qr(text: &str) -> Out {
    let qr = qrcodegen::QrCode::encode_text(text, qrcodegen::QrCodeEcc::Medium).map_err(fail)?;
    let size = qr.size();
    let mut d = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                d.push_str(&format!("M{} {}h1v1h-1z", x + 4, y + 4));
            }
        }
    }
    Ok(format!("{size} {d}"))
}


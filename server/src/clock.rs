//! Time and randomness for the server.

pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    // The OS random source failing leaves no safe way to continue.
    getrandom::fill(&mut out).expect("the operating system's random source failed");
    out
}

pub fn new_uuid() -> String {
    let r: [u8; 10] = random_bytes();
    nimo_core::sync::ids::uuid_v7(now_ms(), r)
}

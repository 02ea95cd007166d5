//! Reads a `multipart/form-data` body (RFC 7578) as the fake Discord receives it from serenity
//! (a `payload_json` part and `files[n]` parts): enough for the fakes to record uploads.
#![allow(dead_code)]

/// One part.
#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// `name="x"` → `x`, from a `Content-Disposition` header.
fn attribute(header: &str, key: &str) -> Option<String> {
    let start = header.find(&format!("{key}=\""))? + key.len() + 2;
    let end = header[start..].find('"')? + start;
    Some(header[start..end].to_string())
}

/// The parts of `body`, whose `Content-Type` header is `content_type` (with its boundary).
/// Panics on a malformed body: the fake's caller is the bot under test.
pub fn parse(content_type: &str, body: &[u8]) -> Vec<Part> {
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .expect("a multipart boundary")
        .trim_matches('"');
    let delimiter = format!("--{boundary}").into_bytes();
    let mut parts = Vec::new();
    let mut at = find(body, &delimiter, 0).expect("a first boundary") + delimiter.len();
    loop {
        if body[at..].starts_with(b"--") {
            break;
        }
        let head_start = at + 2; // CRLF after the boundary
        let head_end = find(body, b"\r\n\r\n", head_start).expect("part headers");
        let next = find(body, &delimiter, head_end).expect("a closing boundary");
        let head = String::from_utf8_lossy(&body[head_start..head_end]).into_owned();
        let mut part = Part {
            name: String::new(),
            file_name: None,
            content_type: None,
            bytes: body[head_end + 4..next - 2].to_vec(), // minus the CRLF before the boundary
        };
        for line in head.split("\r\n") {
            let lower = line.to_ascii_lowercase();
            if lower.starts_with("content-disposition:") {
                part.name = attribute(line, "name").unwrap_or_default();
                part.file_name = attribute(line, "filename");
            } else if let Some(v) = lower.strip_prefix("content-type:") {
                part.content_type = Some(v.trim().to_string());
            }
        }
        parts.push(part);
        at = next + delimiter.len();
    }
    parts
}

//! Checks on pictures the bot sends: decode the PNG (the `png` crate), its size, and that it is
//! not blank.
#![allow(dead_code)]

use std::collections::HashSet;

/// A decoded picture: width, height and the distinct RGB colours it uses.
pub struct Picture {
    pub width: u32,
    pub height: u32,
    pub colours: HashSet<[u8; 3]>,
}

/// Decodes `bytes` as an 8-bit RGB or RGBA PNG; panics with the reason otherwise.
pub fn decode(bytes: &[u8]) -> Picture {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG image data");
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let colours = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    Picture {
        width: info.width,
        height: info.height,
        colours,
    }
}

/// Asserts the picture is `size` and not blank: at least `min_colours` distinct colours
/// (background, bars, text and its anti-aliasing).
pub fn assert_picture(bytes: &[u8], size: (u32, u32), min_colours: usize) -> Picture {
    let p = decode(bytes);
    assert_eq!((p.width, p.height), size, "picture size");
    assert!(
        p.colours.len() >= min_colours,
        "a blank-looking picture: {} colours",
        p.colours.len()
    );
    p
}

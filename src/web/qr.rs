//! QR codes drawn on the server as inline SVG: nothing they carry (a second-factor key, a calendar
//! feed's secret link) is sent to a third party to be drawn.

/// `data` as an SVG element of our own markup (rectangles, no text), or None when it is too long for
/// a QR code.
pub fn svg(data: &str) -> Option<String> {
    let code = qrcode::QrCode::new(data.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // The XML declaration is for standalone files; inside HTML only the element is wanted.
    Some(match svg.find("<svg") {
        Some(i) => svg[i..].to_owned(),
        None => svg,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_link_becomes_an_svg_element() {
        let svg = super::svg("webcal://relasi.example/calendar/x/y.ics").unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(!svg.contains("<script"));
    }
}

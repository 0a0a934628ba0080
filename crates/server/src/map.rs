//! The map of the municipalities, drawn as SVG on the server from the
//! shipped boundaries (no tiles, nothing fetched), shaded by a count per
//! municipality. Accessible: every shape has a title, and a table of the
//! same figures stands next to it on the page.

use kizuna_store::seed::MUNICIPALITIES_GEOJSON;
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::LazyLock;

/// Width of the drawing in SVG units; the height follows the shape.
const WIDTH: f64 = 640.0;

struct Shape {
    code: String,
    name: String,
    /// The `d` attribute of the path, already projected.
    path: String,
}

struct Map {
    height: f64,
    shapes: Vec<Shape>,
}

/// Parsed and projected once per process: the boundaries never change.
static MAP: LazyLock<Map> = LazyLock::new(build);

fn rings(geometry: &serde_json::Value) -> Vec<Vec<(f64, f64)>> {
    let coords = &geometry["coordinates"];
    let polygons: Vec<&serde_json::Value> = match geometry["type"].as_str() {
        Some("Polygon") => vec![coords],
        Some("MultiPolygon") => coords
            .as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default(),
        _ => vec![],
    };
    polygons
        .into_iter()
        .flat_map(|p| p.as_array().cloned().unwrap_or_default())
        .map(|ring| {
            ring.as_array()
                .map(|pts| {
                    pts.iter()
                        .filter_map(|pt| Some((pt[0].as_f64()?, pt[1].as_f64()?)))
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect()
}

fn build() -> Map {
    let doc: serde_json::Value = serde_json::from_str(MUNICIPALITIES_GEOJSON).unwrap_or_default();
    let features = doc["features"].as_array().cloned().unwrap_or_default();
    let all: Vec<(f64, f64)> = features
        .iter()
        .flat_map(|f| rings(&f["geometry"]))
        .flatten()
        .collect();
    let (min_lon, max_lon) = all
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (min_lat, max_lat) = all
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    // Equirectangular with the longitude scaled by cos(latitude): at this
    // size the prefecture looks as it does on any map.
    let k = ((min_lat + max_lat) / 2.0).to_radians().cos();
    let scale = WIDTH / ((max_lon - min_lon) * k);
    let height = (max_lat - min_lat) * scale;
    let shapes = features
        .iter()
        .map(|f| {
            let mut path = String::new();
            for ring in rings(&f["geometry"]) {
                for (i, (lon, lat)) in ring.iter().enumerate() {
                    let x = (lon - min_lon) * k * scale;
                    let y = (max_lat - lat) * scale;
                    let _ = write!(path, "{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" });
                }
                path.push('Z');
            }
            Shape {
                code: f["properties"]["code"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                name: f["properties"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                path,
            }
        })
        .collect();
    Map { height, shapes }
}

/// Shading steps: none, 1, 2–4, 5–9, 10 or more.
const FILLS: [&str; 5] = ["#f2f2f2", "#c5d7fb", "#7096f8", "#3460fb", "#00118f"];

fn step(count: i64) -> usize {
    match count {
        i64::MIN..=0 => 0,
        1 => 1,
        2..=4 => 2,
        5..=9 => 3,
        _ => 4,
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An inline SVG of the 59 municipalities shaded by `counts` (code → count).
/// `label` is the accessible name of the whole map; `unit` follows each
/// municipality's count in its title (e.g. "件").
pub fn svg(counts: &HashMap<String, i64>, label: &str, unit: &str) -> String {
    let map = &*MAP;
    let mut out = String::with_capacity(200_000);
    let _ = write!(
        out,
        "<svg class=\"map\" viewBox=\"0 0 {WIDTH:.0} {:.0}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
        map.height,
        escape(label)
    );
    for s in &map.shapes {
        let n = counts.get(&s.code).copied().unwrap_or(0);
        let _ = write!(
            out,
            "<path d=\"{}\" fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"0.8\" data-code=\"{}\" data-count=\"{n}\"><title>{} {n}{}</title></path>",
            s.path,
            FILLS[step(n)],
            s.code,
            escape(&s.name),
            escape(unit)
        );
    }
    out.push_str("</svg>");
    out
}

/// The legend's steps as (colour, label) pairs.
pub fn legend() -> [(&'static str, &'static str); 5] {
    [
        (FILLS[0], "0"),
        (FILLS[1], "1"),
        (FILLS[2], "2–4"),
        (FILLS[3], "5–9"),
        (FILLS[4], "10+"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_59_municipalities_are_drawn_and_shaded_by_count() {
        let mut counts = HashMap::new();
        counts.insert("072010".to_string(), 3);
        let svg = svg(&counts, "地図", "件");
        assert_eq!(svg.matches("<path ").count(), 59);
        assert!(svg.contains("data-code=\"072010\" data-count=\"3\""));
        assert!(svg.contains("<title>福島市 3件</title>"));
        assert!(svg.contains(&format!(
            "fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"0.8\" data-code=\"072010\"",
            FILLS[2]
        )));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }
}

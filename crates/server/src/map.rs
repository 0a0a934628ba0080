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
            let mut origin = (0, 0);
            for ring in rings(&f["geometry"]) {
                let projected: Vec<(f64, f64)> = ring
                    .iter()
                    .map(|(lon, lat)| ((lon - min_lon) * k * scale, (max_lat - lat) * scale))
                    .collect();
                write_ring(&mut path, &simplify(&projected, TOLERANCE), &mut origin);
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

/// How far (in SVG units, ~pixels) a simplified outline may stray from the
/// surveyed one: half a unit, hidden by the 0.8-unit border. With relative
/// coordinates the map went from 65.6 KB to ~46 KB (every page with a map
/// carries it).
const TOLERANCE: f64 = 0.5;

/// Douglas–Peucker: keeps the points that matter to the shape at this size.
fn simplify(points: &[(f64, f64)], tolerance: f64) -> Vec<(f64, f64)> {
    if points.len() < 3 {
        return points.to_vec();
    }
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    keep[points.len() - 1] = true;
    let mut stack = vec![(0, points.len() - 1)];
    while let Some((a, b)) = stack.pop() {
        let (mut far, mut far_d) = (0, 0.0);
        for i in a + 1..b {
            let d = distance_to_segment(points[i], points[a], points[b]);
            if d > far_d {
                (far, far_d) = (i, d);
            }
        }
        if far_d > tolerance {
            keep[far] = true;
            stack.push((a, far));
            stack.push((far, b));
        }
    }
    points
        .iter()
        .zip(keep)
        .filter_map(|(p, k)| k.then_some(*p))
        .collect()
}

fn distance_to_segment(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    };
    let (x, y) = (a.0 + t * dx, a.1 + t * dy);
    ((p.0 - x).powi(2) + (p.1 - y).powi(2)).sqrt()
}

/// A closed ring in relative coordinates with one decimal ("m" then "l"),
/// which is shorter than absolute ones; steps are taken between rounded
/// values so rounding never drifts along the ring. `origin` (in tenths) is
/// the current point before the ring: (0, 0) at first, then — as "z" returns
/// there — the previous ring's first point; it is updated for the next ring.
fn write_ring(path: &mut String, points: &[(f64, f64)], origin: &mut (i64, i64)) {
    let round = |v: f64| (v * 10.0).round() as i64;
    let mut at = *origin;
    if let Some((x, y)) = points.first() {
        *origin = (round(*x), round(*y));
    }
    for (i, (x, y)) in points.iter().enumerate() {
        let p = (round(*x), round(*y));
        let (dx, dy) = (p.0 - at.0, p.1 - at.1);
        if i > 0 && dx == 0 && dy == 0 {
            continue;
        }
        let cmd = if i == 0 { 'm' } else { 'l' };
        let _ = write!(path, "{cmd}{},{}", tenths(dx), tenths(dy));
        at = p;
    }
    path.push('z');
}

/// Tenths as the shortest decimal: 12 → "1.2", -5 → "-.5", 30 → "3".
fn tenths(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let (whole, frac) = (v.abs() / 10, v.abs() % 10);
    match (whole, frac) {
        (w, 0) => format!("{sign}{w}"),
        (0, f) => format!("{sign}.{f}"),
        (w, f) => format!("{sign}{w}.{f}"),
    }
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

    /// Reads back "m/l/z" paths as absolute rings (what a browser draws).
    fn parse(path: &str) -> Vec<Vec<(f64, f64)>> {
        let (mut rings, mut at, mut start) = (Vec::new(), (0.0, 0.0), (0.0, 0.0));
        let mut cmd = ' ';
        let mut num = String::new();
        let mut nums: Vec<f64> = Vec::new();
        let mut flush = |cmd: char, nums: &mut Vec<f64>, rings: &mut Vec<Vec<(f64, f64)>>| {
            if nums.len() == 2 {
                at = (at.0 + nums[0], at.1 + nums[1]);
                if cmd == 'm' {
                    start = at;
                    rings.push(vec![at]);
                } else if let Some(r) = rings.last_mut() {
                    r.push(at);
                }
            }
            if cmd == 'z' {
                at = start;
            }
            nums.clear();
        };
        for c in path.chars().chain(std::iter::once('z')) {
            match c {
                'm' | 'l' | 'z' => {
                    if !num.is_empty() {
                        nums.push(num.parse().unwrap());
                        num.clear();
                    }
                    flush(cmd, &mut nums, &mut rings);
                    cmd = c;
                    if c == 'z' {
                        flush('z', &mut nums, &mut rings);
                    }
                }
                ',' => {
                    nums.push(num.parse().unwrap());
                    num.clear();
                }
                _ => num.push(c),
            }
        }
        rings
    }

    #[test]
    fn simplified_outlines_stay_within_half_a_unit_of_the_survey() {
        // Two rings, so the second starts relative to the first's start.
        let a = vec![
            (10.0, 10.0),
            (10.04, 15.0),
            (10.0, 20.0),
            (20.0, 20.0),
            (20.0, 10.0),
            (10.0, 10.0),
        ];
        let b = vec![(100.0, 50.0), (110.0, 50.0), (105.0, 57.33), (100.0, 50.0)];
        let mut path = String::new();
        let mut origin = (0, 0);
        write_ring(&mut path, &simplify(&a, TOLERANCE), &mut origin);
        write_ring(&mut path, &simplify(&b, TOLERANCE), &mut origin);
        let rings = parse(&path);
        assert_eq!(rings.len(), 2, "{path}");
        assert_eq!(
            rings[0].len(),
            5,
            "the nearly straight point is dropped: {path}"
        );
        for (got, want) in rings.iter().zip([&a, &b]) {
            for p in got {
                let near = want
                    .iter()
                    .any(|q| (p.0 - q.0).abs() <= 0.05 + 1e-9 && (p.1 - q.1).abs() <= 0.05 + 1e-9);
                assert!(near, "{p:?} is not a surveyed point ({path})");
            }
        }
        assert_eq!(rings[1][2], (105.0, 57.3));
        assert_eq!(tenths(-5), "-.5");
        assert_eq!(tenths(30), "3");
        assert_eq!(tenths(-123), "-12.3");
    }

    #[test]
    fn the_map_is_small_enough_to_carry_on_every_page() {
        let svg = svg(&HashMap::new(), "地図", "件");
        assert!(svg.len() < 50_000, "{} bytes", svg.len());
    }
}

//! Where each execution of a run goes: a layered tree, roots at the top, each
//! level one row down, leaves side by side in depth-first order and every
//! parent centred over its children. The parent links come from the target
//! under test, so the walk is iterative and marks what it visited: a deep
//! chain cannot overflow the stack and a cycle cannot loop.

use std::collections::HashMap;

use super::model::Exec;

/// A node's box, in pixels.
pub(super) const NODE_W: f64 = 230.0;
/// A node's box, in pixels (three lines of text).
pub(super) const NODE_H: f64 = 54.0;
const GAP_X: f64 = 14.0;
const GAP_Y: f64 = 30.0;

/// Where one execution goes, relative to the DAG's top left corner.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Place {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
}

/// The places of a run's executions (same order as `execs`), and the size
/// they take.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Layout {
    /// One place per execution.
    pub places: Vec<Place>,
    /// Width of the whole tree.
    pub width: f64,
    /// Height of the whole tree.
    pub height: f64,
}

/// Lays out `execs` as a layered tree.
pub(super) fn layout(execs: &[Exec]) -> Layout {
    let index: HashMap<&str, usize> = execs
        .iter()
        .enumerate()
        .map(|(i, e)| (e.alias.as_str(), i))
        .collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); execs.len()];
    let mut roots = Vec::new();
    for (i, e) in execs.iter().enumerate() {
        match e.parent.as_deref().and_then(|p| index.get(p)) {
            Some(&p) if p != i => children[p].push(i),
            _ => roots.push(i),
        }
    }
    // Executions on a cycle are reached from no root: each becomes one.
    let mut slot = vec![f64::NAN; execs.len()];
    let mut depth = vec![0usize; execs.len()];
    let mut visited = vec![false; execs.len()];
    let mut leaves = 0usize;
    let mut next_root = 0usize;
    loop {
        let start = match roots.get(next_root) {
            Some(&r) => {
                next_root += 1;
                r
            }
            None => match visited.iter().position(|v| !v) {
                Some(r) => r,
                None => break,
            },
        };
        if visited[start] {
            continue;
        }
        place_tree(
            start,
            &children,
            &mut visited,
            &mut depth,
            &mut slot,
            &mut leaves,
        );
    }
    let rows = depth.iter().max().map_or(0, |d| d + 1);
    Layout {
        places: slot
            .iter()
            .zip(&depth)
            .map(|(s, d)| Place {
                x: s * (NODE_W + GAP_X),
                y: *d as f64 * (NODE_H + GAP_Y),
            })
            .collect(),
        width: (leaves as f64 * (NODE_W + GAP_X) - GAP_X).max(0.0),
        height: (rows as f64 * (NODE_H + GAP_Y) - GAP_Y).max(0.0),
    }
}

/// Depth-first from `root` with an explicit stack: a leaf takes the next
/// slot, a parent the middle of its first and last child.
fn place_tree(
    root: usize,
    children: &[Vec<usize>],
    visited: &mut [bool],
    depth: &mut [usize],
    slot: &mut [f64],
    leaves: &mut usize,
) {
    visited[root] = true;
    depth[root] = 0;
    // (node, index of the next child to visit)
    let mut stack = vec![(root, 0usize)];
    let mut placed_children: Vec<Vec<usize>> = vec![Vec::new(); children.len()];
    while let Some(top) = stack.last_mut() {
        let node = top.0;
        if let Some(&child) = children[node].get(top.1) {
            top.1 += 1;
            if !visited[child] {
                visited[child] = true;
                depth[child] = depth[node] + 1;
                placed_children[node].push(child);
                stack.push((child, 0));
            }
            continue;
        }
        stack.pop();
        slot[node] = match (placed_children[node].first(), placed_children[node].last()) {
            (Some(&a), Some(&b)) => (slot[a] + slot[b]) / 2.0,
            _ => {
                *leaves += 1;
                (*leaves - 1) as f64
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exec(alias: &str, parent: Option<&str>) -> Exec {
        Exec {
            alias: alias.into(),
            label: alias.into(),
            parent: parent.map(str::to_string),
            status: "succeeded".into(),
            reused_from: None,
            error: None,
            differs: false,
        }
    }

    #[test]
    fn a_parent_sits_one_row_above_the_middle_of_its_children() {
        let l = layout(&[
            exec("a", None),
            exec("b", Some("a")),
            exec("c", Some("a")),
            exec("d", Some("c")),
        ]);
        let [a, b, c, d] = [l.places[0], l.places[1], l.places[2], l.places[3]];
        assert_eq!(
            (a.y, b.y, d.y),
            (0.0, NODE_H + GAP_Y, 2.0 * (NODE_H + GAP_Y))
        );
        assert_eq!(b.x, 0.0);
        assert_eq!(c.x, d.x);
        assert_eq!(a.x, (b.x + c.x) / 2.0);
        assert_eq!(l.width, 2.0 * NODE_W + GAP_X);
    }

    #[test]
    fn cycles_unknown_parents_and_deep_chains_are_laid_out() {
        let l = layout(&[
            exec("x", Some("y")),
            exec("y", Some("x")),
            exec("z", Some("gone")),
        ]);
        assert!(l.places.iter().all(|p| p.x.is_finite() && p.y.is_finite()));
        let chain: Vec<Exec> = (0..50_000)
            .map(|i| {
                exec(
                    &format!("e{i}"),
                    (i > 0).then(|| format!("e{}", i - 1)).as_deref(),
                )
            })
            .collect();
        let l = layout(&chain);
        assert_eq!(l.places[49_999].y, 49_999.0 * (NODE_H + GAP_Y));
    }
}

//! A radix heap: the monotone priority queue for Dijkstra with integer costs (Ahuja,
//! Mehlhorn, Orlin, Tarjan 1990). Keys popped never decrease, so items live in 33 buckets
//! by the highest bit in which they differ from the last popped key; a pop redistributes
//! one bucket at most. Amortised O(log C) per item, sequential memory access.

/// Min-priority queue of `(key, value)` with keys never below the last popped key.
#[derive(Clone, Debug)]
pub struct RadixHeap<T: Copy> {
    last: u32,
    len: usize,
    buckets: Vec<Vec<(u32, T)>>,
}

impl<T: Copy> Default for RadixHeap<T> {
    fn default() -> Self {
        RadixHeap { last: 0, len: 0, buckets: (0..33).map(|_| Vec::new()).collect() }
    }
}

#[inline]
fn bucket(key: u32, last: u32) -> usize {
    32 - (key ^ last).leading_zeros() as usize
}

impl<T: Copy> RadixHeap<T> {
    /// Empties the queue and resets the monotone floor to 0.
    pub fn clear(&mut self) {
        for b in &mut self.buckets {
            b.clear();
        }
        self.last = 0;
        self.len = 0;
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the queue is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds an item; `key` must not be below the last popped key.
    #[inline]
    pub fn push(&mut self, key: u32, value: T) {
        debug_assert!(key >= self.last, "radix heap keys must be monotone");
        self.buckets[bucket(key, self.last)].push((key, value));
        self.len += 1;
    }

    /// Removes an item with the smallest key.
    #[inline]
    pub fn pop(&mut self) -> Option<(u32, T)> {
        if self.buckets[0].is_empty() {
            let i = self.buckets.iter().position(|b| !b.is_empty())?;
            let items = std::mem::take(&mut self.buckets[i]);
            self.last = items.iter().map(|x| x.0).min().expect("non-empty bucket");
            for &(k, v) in &items {
                self.buckets[bucket(k, self.last)].push((k, v));
            }
            // Give the emptied bucket its allocation back for reuse.
            let mut items = items;
            items.clear();
            self.buckets[i] = items;
        }
        self.len -= 1;
        self.buckets[0].pop()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn pops_in_key_order(ops in proptest::collection::vec((any::<bool>(), 0u32..1000), 0..200)) {
            let mut h = RadixHeap::default();
            let mut reference = std::collections::BinaryHeap::new();
            let mut floor = 0u32;
            for (is_push, k) in ops {
                if is_push {
                    let key = floor + k;
                    h.push(key, key);
                    reference.push(std::cmp::Reverse(key));
                } else {
                    let a = h.pop().map(|x| x.0);
                    let b = reference.pop().map(|x| x.0);
                    prop_assert_eq!(a, b);
                    if let Some(k) = a { floor = k; }
                }
            }
            prop_assert_eq!(h.len(), reference.len());
        }
    }
}

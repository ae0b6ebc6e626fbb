// js/post-set.js: posts kept newest first and keyed by id. Plain data, no DOM.

/** Newest first: by createdAt, then receivedAt, then id, so posts with equal times still have one stable order. */
export function compareNewestFirst(a, b) {
  return b.createdMs - a.createdMs || b.receivedMs - a.receivedMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/**
 * An ordered set of posts: one entry per id, always sorted by `compareNewestFirst`.
 * It has no bound of its own; callers trim it with `remove(last().id)` and say why beside the call.
 */
export function createPostSet() {
  const byId = new Map();
  const ordered = [];

  function insertionIndex(post) {
    let low = 0;
    let high = ordered.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (compareNewestFirst(ordered[mid], post) <= 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  function remove(id) {
    const post = byId.get(id);
    if (!post) return false;
    ordered.splice(ordered.indexOf(post), 1);
    byId.delete(id);
    return true;
  }

  return {
    get size() {
      return ordered.length;
    },
    has: (id) => byId.has(id),
    get: (id) => byId.get(id),
    at: (index) => ordered[index],
    first: () => ordered[0],
    last: () => ordered[ordered.length - 1],
    /** The oldest post that satisfies `predicate`, or undefined. */
    oldestWhere: (predicate) => ordered.findLast(predicate),
    /** A copy, newest first. */
    list: () => ordered.slice(),
    /** Adds `post`, or replaces the post with the same id (moving it if its time changed). Returns its index. */
    upsert(post) {
      remove(post.id);
      const index = insertionIndex(post);
      ordered.splice(index, 0, post);
      byId.set(post.id, post);
      return index;
    },
    remove,
    clear() {
      ordered.length = 0;
      byId.clear();
    },
  };
}

package relying

import "container/list"

// lru is a bounded map that evicts the least recently used entry when
// full. It is not safe for concurrent use: its owner holds a lock.
type lru[K comparable, V any] struct {
	max   int
	order *list.List // front: most recently used; elements are *lruEntry
	items map[K]*list.Element
}

type lruEntry[K comparable, V any] struct {
	key K
	val V
}

func newLRU[K comparable, V any](max int) *lru[K, V] {
	if max < 1 {
		max = 1
	}
	return &lru[K, V]{max: max, order: list.New(), items: make(map[K]*list.Element)}
}

func (c *lru[K, V]) get(k K) (V, bool) {
	if e, ok := c.items[k]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*lruEntry[K, V]).val, true
	}
	var zero V
	return zero, false
}

func (c *lru[K, V]) put(k K, v V) {
	if e, ok := c.items[k]; ok {
		e.Value.(*lruEntry[K, V]).val = v
		c.order.MoveToFront(e)
		return
	}
	c.items[k] = c.order.PushFront(&lruEntry[K, V]{key: k, val: v})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*lruEntry[K, V]).key)
	}
}

func (c *lru[K, V]) remove(k K) {
	if e, ok := c.items[k]; ok {
		c.order.Remove(e)
		delete(c.items, k)
	}
}

// removeIf removes every entry for which drop is true and returns how many.
func (c *lru[K, V]) removeIf(drop func(K, V) bool) int {
	n := 0
	for e := c.order.Front(); e != nil; {
		next := e.Next()
		en := e.Value.(*lruEntry[K, V])
		if drop(en.key, en.val) {
			c.order.Remove(e)
			delete(c.items, en.key)
			n++
		}
		e = next
	}
	return n
}

func (c *lru[K, V]) clear() int {
	n := c.order.Len()
	c.order.Init()
	clear(c.items)
	return n
}

func (c *lru[K, V]) len() int { return c.order.Len() }

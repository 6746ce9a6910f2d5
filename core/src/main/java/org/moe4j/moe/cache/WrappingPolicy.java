package org.moe4j.moe.cache;

/** A policy that narrows another's choice of victim; it passes every event on to the inner policy. */
abstract class WrappingPolicy implements CachePolicy {
    final CachePolicy inner;

    WrappingPolicy(CachePolicy inner) {
        this.inner = inner;
    }

    @Override
    public void accessed(int key, long time) {
        inner.accessed(key, time);
    }

    @Override
    public void admitted(int key, long time) {
        inner.admitted(key, time);
    }

    @Override
    public void evicted(int key) {
        inner.evicted(key);
    }

    @Override
    public void predicted(int block, int[] keys, int count) {
        inner.predicted(block, keys, count);
    }

    @Override
    public String toString() {
        return name();
    }
}

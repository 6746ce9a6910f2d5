package org.moe4j.moe.cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.moe4j.model.GatedFfn;
import org.moe4j.model.Model;
import org.moe4j.moe.ExpertStore;
import org.moe4j.moe.MappedExpertStore;
import org.moe4j.moe.RoutingDecision;
import org.moe4j.util.Progress;

/**
 * Routed experts read on demand from the model file into a fixed memory budget. Dense weights stay
 * mapped; each expert the layers ask for is read with positional reads that avoid the page cache (see
 * {@link ExpertReader}) into a slot of an anonymous mapping, and the {@link CachePolicy} decides which
 * expert leaves when a slot is needed. The mapped expert tensors are never read.
 *
 * <h2>How a layer is served</h2>
 * The MoE layer calls {@link ExpertStore#onRouted} with its routing, then acquires the selected experts in
 * ascending order, in rounds of at most {@link ExpertStore#maxAcquired()}, releasing each round before
 * the next. At {@code onRouted} the cache counts hits, plans the same rounds, reserves slots for the
 * first round (so concurrent callers can never deadlock by each holding part of the budget), protects
 * the round's resident experts from eviction and queues every missing one at once on the I/O threads;
 * {@code acquire} then only waits for what is still loading. Prefetches (from {@link GatePredictor}) fill
 * other slots while the layer computes; if the real routing differs, the mispredicted reads still queued
 * are withdrawn and the missing experts are loaded first (the correction).
 *
 * <p>One cache may serve several models of the same file ({@link #attach}), used from several threads:
 * all state is guarded by one lock, held only for bookkeeping, never during a read.
 */
public final class ExpertCache implements AutoCloseable {
    private static final int ABSENT = 0, LOADING = 1, RESIDENT = 2, FAILED = 3;

    private static final class Entry {
        final int key;
        volatile int state = ABSENT;
        int slot = -1;
        int pins;
        int wanted;
        boolean demand;
        boolean prefetchUnused;
        int piecesLeft;
        long loadStart;
        long generation;
        IOException failure;
        GatedFfn.Weights weights;
        LoadQueue.Task[] tasks;

        Entry(int key) {
            this.key = key;
        }
    }

    /** What one thread is doing with the cache: the layer it serves, its rounds and its predictions. */
    private final class Pass {
        int layer = -1;
        int[] experts = new int[16];
        int count;
        int next;
        int roundFrom, roundTo;
        boolean roundOpen;
        int reservation;
        int pins;
        final List<Integer> extraWanted = new ArrayList<>();
        long timeBase;
        final boolean[] lowBitHeld = new boolean[keys.size()];
        final boolean[] mark = new boolean[keys.maxExperts()];
        final boolean[][] predicted = new boolean[keys.blocks()][];
        final boolean[] hasPrediction = new boolean[keys.blocks()];
        int pendingLayer = -1;
        int[] pending = new int[0];
        int pendingCount;
        int issuedLayer = -1;
        int[] issued = new int[0];
        int issuedCount;

        Pass() {
            for (int b : keys.moeBlocks()) predicted[b] = new boolean[keys.experts(b)];
        }

        boolean inRound(int key) {
            return roundOpen && Arrays.binarySearch(experts, roundFrom, roundTo, key) >= 0;
        }
    }

    private final ExpertCacheConfig config;
    private final ExpertLayout layout;
    private final ExpertKeys keys;
    private final CachePolicy policy;
    private final ExpertReader reader;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment slabs;
    private final long slotBytes;
    private final int capacity;
    private final int maxAcquired;
    private final LowBitExperts lowBit;
    private final LoadQueue io;
    private final ExpertCacheStats stats;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Entry[] entries;
    private final int[] freeSlots;
    private int free;
    private int reserved;
    private int resident;
    private long clock;
    private final ThreadLocal<Pass> passes = ThreadLocal.withInitial(Pass::new);
    private final List<Attachment> attachments = new ArrayList<>();
    private boolean closed;

    private ExpertCache(Model model, ExpertCacheConfig config) {
        this.config = config;
        java.nio.file.Path path = model.file().path();
        if (path == null) throw new IllegalArgumentException("the expert cache reads experts from a file; this model was loaded from memory");
        this.layout = ExpertLayout.of(model, ExpertReader.alignment(path));
        this.keys = layout.keys();
        this.slotBytes = layout.slotBytes();
        long lowBitBytes = config.mixedPrecision() == null ? 0 : LowBitExperts.bytes(layout, config.mixedPrecision());
        this.capacity = capacityFor(config.budgetBytes(), lowBitBytes);
        this.reader = ExpertReader.open(path, config.io());
        try {
            this.slabs = allocate((long) capacity * slotBytes + lowBitBytes);
            this.policy = CachePolicies.create(config.policy(),
                    new CachePolicies.Context(keys, capacity, layout.maxTopK(), layout.activePerToken(), config.profile(), null));
            // rounds leave the pinned experts their slots (pins yield only to the trained top-k of one token)
            this.maxAcquired = Math.max(layout.maxTopK(), capacity - policy.warmKeys().length);
            this.entries = new Entry[keys.size()];
            for (int k = 0; k < entries.length; k++) entries[k] = new Entry(k);
            this.freeSlots = new int[capacity];
            for (int s = 0; s < capacity; s++) freeSlots[s] = capacity - 1 - s;
            this.free = capacity;
            this.stats = new ExpertCacheStats(keys);
            this.lowBit = config.mixedPrecision() == null ? null
                    : LowBitExperts.build(layout, reader, config.mixedPrecision(), slot(0), slabs.asSlice((long) capacity * slotBytes, lowBitBytes));
            this.io = new LoadQueue(config.ioThreads());
        } catch (RuntimeException | Error e) {
            reader.close();
            arena.close();
            throw e;
        }
        dropMappedExpertPages(path);
    }

    /**
     * Creates a cache for a model's experts within {@code config}'s budget and attaches it to the model
     * (experts served by the cache, prefetching and skipping installed). Closing the cache gives the
     * model its mapped experts back.
     *
     * @throws ExpertCacheBudgetException if the budget cannot hold one token's working set
     */
    public static ExpertCache open(Model model, ExpertCacheConfig config) {
        ExpertCache c = new ExpertCache(model, config);
        try {
            c.attach(model);
            c.warmStart();
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** The cache serving a model's experts, if one is attached (also under a BatchEngine's counting store). */
    public static Optional<ExpertCache> attachedTo(Model model) {
        ExpertStore s = model.expertStore();
        if (s instanceof org.moe4j.moe.CountingExpertStore counting) s = counting.delegate();
        return s instanceof Attachment a ? Optional.of(a.cache()) : Optional.empty();
    }

    private int capacityFor(long budget, long lowBitBytes) {
        int k = layout.maxTopK();
        long need = k * slotBytes + lowBitBytes;
        if (budget < need) {
            throw new ExpertCacheBudgetException(String.format(java.util.Locale.ROOT,
                    "an expert cache of %s cannot hold one token's working set: a token selects up to %d experts in one layer, "
                            + "%s each in the cache (read in whole %d-byte blocks)%s, so the budget must be at least %s",
                    Progress.bytes(budget), k, Progress.bytes(slotBytes), layout.alignment(),
                    lowBitBytes > 0 ? ", plus " + Progress.bytes(lowBitBytes) + " of low-bit copies for mixed precision" : "",
                    Progress.bytes(need)));
        }
        return (int) Math.min(keys.size(), (budget - lowBitBytes) / slotBytes);
    }

    private MemorySegment allocate(long bytes) {
        if (Posix.AVAILABLE) return Posix.mapAnonymous(bytes, arena, true);
        return arena.allocate(bytes, Posix.PAGE);
    }

    private MemorySegment slot(int s) {
        return slabs.asSlice((long) s * slotBytes, slotBytes);
    }

    /**
     * Makes the page cache hold the dense weights and none of the experts, so that what the process is
     * charged for is its budget plus the dense weights. The dense tensors are touched once, page by page:
     * otherwise their first use would fault them in piecemeal, and the kernel's read-around of each fault
     * (up to the device's read-ahead, often megabytes) would also bring in the neighbouring expert tensors.
     * Then the expert ranges are dropped, which also removes what an earlier run left there. The token
     * embedding is left alone: a forward pass reads single rows of it. Clean pages that other processes map
     * stay where they are.
     */
    private void dropMappedExpertPages(java.nio.file.Path path) {
        if (!Posix.AVAILABLE) return;
        List<long[]> experts = layout.fileRanges();
        org.moe4j.gguf.GGUFFile f = layout.file();
        for (org.moe4j.gguf.GGUFTensorInfo t : f.tensors()) {
            if (t.name().equals("token_embd.weight")) continue;
            long off = f.fileOffset(t);
            if (insideAny(experts, off, off + t.byteSize())) continue;
            f.faultIn(t);
        }
        int fd = Posix.openReadOnly(path.toString());
        try {
            for (long[] r : experts) Posix.dropFromPageCache(fd, r[0], r[1] - r[0]);
        } finally {
            Posix.close(fd);
        }
    }

    private static boolean insideAny(List<long[]> ranges, long from, long to) {
        for (long[] r : ranges) if (from >= r[0] && to <= r[1]) return true;
        return false;
    }

    // ---- attachment to models -----------------------------------------------------------------

    /** The store a model sees: the cache, plus the model's own prefetcher and skip policy. */
    private final class Attachment implements ExpertStore {
        final Model model;
        final MappedExpertStore mapped;
        final GatePredictor predictor;
        final MissSkipPolicy skip;
        boolean detached;

        Attachment(Model model, MappedExpertStore mapped) {
            this.model = model;
            this.mapped = mapped;
            this.predictor = config.prefetch() ? new GatePredictor(model, ExpertCache.this) : null;
            this.skip = config.skipBelow() > 0 ? new MissSkipPolicy(ExpertCache.this, config.skipBelow()) : null;
        }

        ExpertCache cache() {
            return ExpertCache.this;
        }

        @Override
        public GatedFfn.Weights acquire(int layer, int expert) {
            return ExpertCache.this.acquire(layer, expert);
        }

        @Override
        public void release(int layer, int expert) {
            ExpertCache.this.release(layer, expert);
        }

        @Override
        public void onRouted(int layer, RoutingDecision[] decisions, int n) {
            ExpertCache.this.onRouted(layer, decisions, n);
        }

        @Override
        public int maxAcquired() {
            return maxAcquired;
        }

        @Override
        public long expertBytes(int layer) {
            return keys.experts(layer) == 0 ? 0 : layout.expertBytes(keys.firstKey(layer));
        }

        /** Called by {@link Model#close()}: the model stops using the cache (which its owner closes). */
        @Override
        public void close() {
            detach(this);
        }
    }

    /**
     * Serves another model of the same file from this cache (e.g. a second request thread). The model's
     * experts must still be mapped; {@link #close()} detaches it again.
     */
    public void attach(Model model) {
        if (!(model.expertStore() instanceof MappedExpertStore mapped)) {
            throw new IllegalStateException("the model's experts are already served by " + model.expertStore().getClass().getSimpleName());
        }
        if (!ExpertLayout.of(model, layout.alignment()).sameAs(layout)) {
            throw new IllegalArgumentException("the model is not of the file this cache reads (" + layout.file().path() + ")");
        }
        Attachment a = new Attachment(model, mapped);
        synchronized (attachments) {
            if (closed) throw new IllegalStateException("the expert cache is closed");
            attachments.add(a);
        }
        model.setExpertStore(a);
        if (a.predictor != null) a.predictor.start();
        if (a.skip != null) model.routing().addPolicy(a.skip);
    }

    /** Gives a model its mapped experts back. */
    public void detach(Model model) {
        Attachment found = null;
        synchronized (attachments) {
            for (Attachment a : attachments) if (a.model == model) found = a;
        }
        if (found != null) detach(found);
    }

    private void detach(Attachment a) {
        synchronized (attachments) {
            if (a.detached) return;
            a.detached = true;
            attachments.remove(a);
        }
        if (a.predictor != null) a.predictor.stop();
        if (a.skip != null) a.model.routing().removePolicy(a.skip);
        if (a.model.expertStore() == a) a.model.setExpertStore(a.mapped);
    }

    private void warmStart() {
        int[] warm = policy.warmKeys();
        if (warm.length == 0) return;
        lock.lock();
        try (Progress p = new Progress("pinning hot experts", warm.length, "experts")) {
            List<Entry> started = new ArrayList<>();
            for (int key : warm) {
                Entry e = entries[key];
                if (e.state != ABSENT) continue;
                int s = takeSlot(key, false, -1);
                if (s < 0) break;
                startLoad(e, s, false, clock);
                started.add(e);
            }
            for (int i = 0; i < started.size(); i++) {
                Entry e = started.get(i);
                while (e.state == LOADING) changed.awaitUninterruptibly();
                if (e.state == FAILED) throw new UncheckedIOException("cannot load expert " + describe(e.key), e.failure);
                p.set(i + 1);
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- serving a layer ------------------------------------------------------------------------

    void onRouted(int layer, RoutingDecision[] ds, int n) {
        lock.lock();
        try {
            Pass pass = passes.get();
            if (pass.roundOpen && pass.pins == 0) endRound(pass); // a pass that ended without releasing
            int nExpert = keys.experts(layer);
            boolean[] mark = pass.mark;
            for (int t = 0; t < n; t++) {
                RoutingDecision d = ds[t];
                for (int j = 0; j < d.count(); j++) mark[d.expert(j)] = true;
            }
            if (pass.experts.length < nExpert) pass.experts = new int[nExpert];
            int count = 0;
            int first = keys.firstKey(layer);
            for (int e = 0; e < nExpert; e++) {
                if (mark[e]) {
                    pass.experts[count++] = first + e;
                    mark[e] = false;
                }
            }
            pass.layer = layer;
            pass.count = count;
            pass.next = 0;
            pass.timeBase = clock;
            for (int i = 0; i < count; i++) {
                int key = pass.experts[i];
                Entry x = entries[key];
                stats.accesses[layer]++;
                stats.keyAccesses[key]++;
                switch (x.state) {
                    case RESIDENT -> stats.hits[layer]++;
                    case LOADING -> stats.inFlight[layer]++;
                    default -> stats.misses[layer]++;
                }
                policy.accessed(key, clock++);
            }
            scorePrediction(pass, layer);
            withdrawMispredictions(pass, layer);
            beginRound(pass);
            if (pass.pendingLayer >= 0) {
                int target = pass.pendingLayer;
                pass.pendingLayer = -1;
                issuePrefetch(pass, target, pass.pending, pass.pendingCount);
            }
        } finally {
            lock.unlock();
        }
    }

    private void scorePrediction(Pass pass, int layer) {
        if (!pass.hasPrediction[layer]) return;
        pass.hasPrediction[layer] = false;
        boolean[] p = pass.predicted[layer];
        int first = keys.firstKey(layer);
        long correct = 0, predicted = 0;
        for (boolean b : p) if (b) predicted++;
        for (int i = 0; i < pass.count; i++) if (p[pass.experts[i] - first]) correct++;
        stats.predicted[layer] += predicted;
        stats.predictedCorrect[layer] += correct;
        stats.predictionNeeded[layer] += pass.count;
        Arrays.fill(p, false);
    }

    /** Withdraws this thread's prefetches for the layer that the real routing does not need and no read has started. */
    private void withdrawMispredictions(Pass pass, int layer) {
        if (pass.issuedLayer != layer) return;
        for (int i = 0; i < pass.issuedCount; i++) {
            int key = pass.issued[i];
            Entry e = entries[key];
            if (e.state != LOADING || e.demand || e.wanted > 0 || Arrays.binarySearch(pass.experts, 0, pass.count, key) >= 0) continue;
            boolean[] withdrawn = new boolean[e.tasks.length];
            boolean all = true;
            for (int j = 0; j < e.tasks.length; j++) {
                withdrawn[j] = io.cancel(e.tasks[j]);
                all &= withdrawn[j];
            }
            if (all) {
                stats.prefetchWasted[layer]++;
                release(e);
            } else {
                // a piece is being read into the slot: the slot stays taken, so finish the load (it may serve a later token)
                for (int j = 0; j < e.tasks.length; j++) {
                    if (withdrawn[j]) e.tasks[j] = io.submit(LoadQueue.PREFETCH, pieceLoad(e, j, e.generation));
                }
            }
        }
        pass.issuedLayer = -1;
        pass.issuedCount = 0;
    }

    private void beginRound(Pass pass) {
        int size = Math.min(maxAcquired, pass.count - pass.next);
        if (size <= 0) return;
        reserve(pass, size);
        pass.roundFrom = pass.next;
        pass.roundTo = pass.next + size;
        pass.next = pass.roundTo;
        for (int i = pass.roundFrom; i < pass.roundTo; i++) entries[pass.experts[i]].wanted++;
        for (int i = pass.roundFrom; i < pass.roundTo; i++) {
            Entry e = entries[pass.experts[i]];
            long time = pass.timeBase + i;
            if (e.state == ABSENT || e.state == FAILED) {
                if (lowBit != null) {
                    // the layer runs the low-bit copy; load the full expert for later tokens if a slot is free now
                    int s = takeSlot(e.key, false, pass.layer);
                    if (s >= 0) startLoad(e, s, false, time);
                } else {
                    demandLoad(e, pass.layer, time);
                }
            } else if (e.state == LOADING && !e.demand && lowBit == null) {
                promote(e);
            }
        }
    }

    private void reserve(Pass pass, int size) {
        long t0 = 0;
        while (reserved + size > capacity) {
            if (t0 == 0) t0 = System.nanoTime();
            changed.awaitUninterruptibly();
        }
        if (t0 != 0 && pass.layer >= 0) stats.stallNanos[pass.layer] += System.nanoTime() - t0;
        reserved += size;
        pass.reservation = size;
        pass.roundOpen = true;
    }

    private void endRound(Pass pass) {
        for (int i = pass.roundFrom; i < pass.roundTo; i++) entries[pass.experts[i]].wanted--;
        for (int key : pass.extraWanted) entries[key].wanted--;
        pass.extraWanted.clear();
        pass.roundFrom = pass.roundTo = 0;
        reserved -= pass.reservation;
        pass.reservation = 0;
        pass.roundOpen = false;
        changed.signalAll();
    }

    GatedFfn.Weights acquire(int layer, int expert) {
        int key = keys.key(layer, expert);
        lock.lock();
        try {
            Pass pass = passes.get();
            Entry e = entries[key];
            if (pass.layer != layer || !pass.inRound(key)) {
                // not announced by onRouted: serve it in a round of its own (or grow the open one)
                if (!pass.roundOpen) {
                    pass.layer = layer;
                    pass.count = 0;
                    pass.next = 0;
                    reserve(pass, 1);
                } else if (pass.extraWanted.size() + pass.roundTo - pass.roundFrom >= pass.reservation) {
                    long t0 = System.nanoTime();
                    while (reserved + 1 > capacity) changed.awaitUninterruptibly();
                    stats.stallNanos[layer] += System.nanoTime() - t0;
                    reserved++;
                    pass.reservation++;
                }
                e.wanted++;
                pass.extraWanted.add(key);
                stats.accesses[layer]++;
                stats.keyAccesses[key]++;
                if (e.state == RESIDENT) stats.hits[layer]++;
                else if (e.state == LOADING) stats.inFlight[layer]++;
                else stats.misses[layer]++;
                policy.accessed(key, clock++);
            }
            if (lowBit != null && e.state != RESIDENT) {
                pass.lowBitHeld[key] = true;
                pass.pins++;
                stats.lowBitRuns[layer]++;
                return lowBit.weights(key);
            }
            if (e.state == ABSENT || e.state == FAILED) demandLoad(e, layer, clock);
            else if (e.state == LOADING && !e.demand) promote(e);
            if (e.state == LOADING) {
                long t0 = System.nanoTime();
                while (e.state == LOADING) changed.awaitUninterruptibly();
                stats.stallNanos[layer] += System.nanoTime() - t0;
            }
            if (e.state != RESIDENT) {
                // the layer fails: give up its remaining rounds, and this one unless released experts will end it
                pass.next = pass.count;
                if (pass.pins == 0 && pass.roundOpen) endRound(pass);
                throw new UncheckedIOException("cannot load expert " + describe(key) + " from " + layout.file().path(), e.failure);
            }
            e.pins++;
            pass.pins++;
            if (e.prefetchUnused) {
                e.prefetchUnused = false;
                stats.prefetchUsed[layer]++;
            }
            return e.weights;
        } finally {
            lock.unlock();
        }
    }

    void release(int layer, int expert) {
        int key = keys.key(layer, expert);
        lock.lock();
        try {
            Pass pass = passes.get();
            if (pass.lowBitHeld[key]) pass.lowBitHeld[key] = false;
            else entries[key].pins--;
            pass.pins--;
            if (pass.pins == 0 && pass.roundOpen) {
                endRound(pass);
                if (pass.layer == layer && pass.next < pass.count) beginRound(pass);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---- prefetch -------------------------------------------------------------------------------

    /**
     * A prediction of the experts {@code layer} will need on this thread: loaded ahead into free or
     * evictable slots, right away ({@code now}) or after the demand loads of the layer being routed next
     * on this thread. Never waits; the prediction is scored when {@code layer} is routed.
     */
    public void predict(int layer, int[] experts, int count, boolean now) {
        lock.lock();
        try {
            Pass pass = passes.get();
            boolean[] p = pass.predicted[layer];
            if (p == null) throw new IllegalArgumentException("block " + layer + " has no routed experts");
            Arrays.fill(p, false);
            int first = keys.firstKey(layer);
            if (pass.pending.length < count) pass.pending = new int[count];
            for (int i = 0; i < count; i++) {
                p[experts[i]] = true;
                pass.pending[i] = first + experts[i];
            }
            pass.hasPrediction[layer] = true;
            policy.predicted(layer, pass.pending, count);
            if (now) {
                issuePrefetch(pass, layer, pass.pending, count);
            } else {
                pass.pendingLayer = layer;
                pass.pendingCount = count;
            }
        } finally {
            lock.unlock();
        }
    }

    private void issuePrefetch(Pass pass, int layer, int[] keyList, int count) {
        if (pass.issued.length < count) pass.issued = new int[Math.max(count, keys.maxExperts())];
        pass.issuedLayer = layer;
        pass.issuedCount = 0;
        for (int i = 0; i < count; i++) {
            Entry e = entries[keyList[i]];
            if (e.state == RESIDENT || e.state == LOADING) continue;
            int s = takeSlot(e.key, false, layer);
            if (s < 0) break;
            startLoad(e, s, false, clock);
            e.prefetchUnused = true;
            stats.prefetchIssued[layer]++;
            pass.issued[pass.issuedCount++] = e.key;
        }
    }

    // ---- slots and loads ------------------------------------------------------------------------

    private boolean evictable(int key) {
        Entry e = entries[key];
        return e.state == RESIDENT && e.pins == 0 && e.wanted == 0;
    }

    /**
     * A free slot for {@code key}: an empty one, else the policy's victim's. With {@code wait}, waits
     * for loads in flight or other threads' rounds to make one evictable (counted as stall of
     * {@code layer}); without, returns -1 when none is available now.
     */
    private int takeSlot(int key, boolean wait, int layer) {
        long t0 = 0;
        while (true) {
            if (free > 0) {
                int s = freeSlots[--free];
                if (t0 != 0 && layer >= 0) stats.stallNanos[layer] += System.nanoTime() - t0;
                return s;
            }
            int v = policy.victim(key, this::evictable, clock);
            if (v >= 0) {
                Entry x = entries[v];
                if (!evictable(v)) throw new IllegalStateException(policy.name() + " chose expert " + describe(v) + ", which is in use");
                stats.evictions[keys.blockOf(v)]++;
                if (x.prefetchUnused) stats.prefetchWasted[keys.blockOf(v)]++;
                release(x);
                continue;
            }
            if (!wait) return -1;
            if (t0 == 0) t0 = System.nanoTime();
            changed.awaitUninterruptibly();
        }
    }

    /** Empties an entry and returns its slot. */
    private void release(Entry x) {
        if (x.state == RESIDENT) resident--;
        x.state = ABSENT;
        freeSlots[free++] = x.slot;
        x.slot = -1;
        x.weights = null;
        x.tasks = null;
        x.prefetchUnused = false;
        x.generation++;
        policy.evicted(x.key);
        changed.signalAll();
    }

    /**
     * Loads an absent expert for a layer that waits for it. Finding a slot may wait, and meanwhile another
     * thread may have started the same load: then the slot goes back and that load is promoted.
     */
    private void demandLoad(Entry e, int layer, long time) {
        int s = takeSlot(e.key, true, layer);
        if (e.state == ABSENT || e.state == FAILED) {
            startLoad(e, s, true, time);
            return;
        }
        freeSlots[free++] = s;
        changed.signalAll();
        if (e.state == LOADING && !e.demand) promote(e);
    }

    private void startLoad(Entry e, int slot, boolean demand, long time) {
        e.state = LOADING;
        e.slot = slot;
        e.demand = demand;
        e.failure = null;
        e.prefetchUnused = false;
        e.loadStart = System.nanoTime();
        e.generation++;
        ExpertLayout.Piece[] pieces = layout.pieces(e.key);
        e.piecesLeft = pieces.length;
        e.tasks = new LoadQueue.Task[pieces.length];
        policy.admitted(e.key, time);
        for (int j = 0; j < pieces.length; j++) {
            e.tasks[j] = io.submit(demand ? LoadQueue.DEMAND : LoadQueue.PREFETCH, pieceLoad(e, j, e.generation));
        }
    }

    private void promote(Entry e) {
        e.demand = true;
        for (int j = 0; j < e.tasks.length; j++) e.tasks[j] = io.promote(e.tasks[j]);
    }

    private Runnable pieceLoad(Entry e, int piece, long generation) {
        ExpertLayout.Piece p = layout.pieces(e.key)[piece];
        long at = (long) e.slot * slotBytes + p.slotOffset();
        return () -> {
            IOException failure = null;
            try {
                reader.read(p, slabs.asSlice(at, p.readLength()));
            } catch (IOException ex) {
                failure = ex;
            } catch (RuntimeException ex) {
                failure = new IOException(ex.toString(), ex);
            }
            pieceDone(e, generation, p.readLength(), failure);
        };
    }

    private void pieceDone(Entry e, long generation, long bytes, IOException failure) {
        lock.lock();
        try {
            if (e.generation != generation || e.state != LOADING) return; // closed meanwhile
            int block = keys.blockOf(e.key);
            stats.bytesRead[block] += bytes;
            if (failure != null && e.failure == null) e.failure = failure;
            if (--e.piecesLeft > 0) return;
            if (e.failure != null) {
                IOException f = e.failure;
                release(e);
                e.state = FAILED;
                e.failure = f;
            } else {
                e.weights = layout.weights(e.key, slot(e.slot));
                e.state = RESIDENT;
                resident++;
                e.tasks = null;
                long nanos = System.nanoTime() - e.loadStart;
                stats.loads[block]++;
                stats.loadNanos[block] += nanos;
                stats.maxLoadNanos[block] = Math.max(stats.maxLoadNanos[block], nanos);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---- state for policies, statistics and reports -----------------------------------------------

    /** Whether the expert is in memory now (the skip policy drops only experts that are not). */
    public boolean isResident(int layer, int expert) {
        return entries[keys.key(layer, expert)].state == RESIDENT;
    }

    void countSkipped(int layer, int n) {
        lock.lock();
        try {
            stats.skipped[layer] += n;
        } finally {
            lock.unlock();
        }
    }

    private String describe(int key) {
        return keys.expertOf(key) + " of block " + keys.blockOf(key);
    }

    /** Resident set and page cache of the model file (and of its expert ranges) now. */
    public MemoryUsage memoryUsage() {
        return MemoryUsage.measure(layout.file().path(), layout.fileRanges());
    }

    public ExpertLayout layout() {
        return layout;
    }

    public ExpertCacheConfig config() {
        return config;
    }

    /** Slots for full-precision experts. */
    public int capacity() {
        return capacity;
    }

    public String policyName() {
        return policy.name();
    }

    /** How experts are read (O_DIRECT or advised buffered reads). */
    public String ioDescription() {
        return reader.description();
    }

    /** A consistent copy of the statistics since the cache opened or the last {@link #resetStats()}. */
    public ExpertCacheStats.Snapshot stats() {
        lock.lock();
        try {
            return stats.snapshot(config.budgetBytes(), slotBytes, capacity, resident, lowBit == null ? 0 : lowBit.bytes(),
                    policy.name(), reader.description(), config.prefetch(),
                    config.mixedPrecision() == null ? null : config.mixedPrecision().name(), config.skipBelow());
        } finally {
            lock.unlock();
        }
    }

    /** Starts the statistics afresh (e.g. after a warm-up). */
    public void resetStats() {
        lock.lock();
        try {
            stats.reset();
        } finally {
            lock.unlock();
        }
    }

    /** How often each expert was accessed since the statistics started: the profile a later run can pin from. */
    public ExpertProfile profile() {
        lock.lock();
        try {
            return new ExpertProfile(layout.file().getString("general.name", ""), keys, stats.keyAccesses);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            StringBuilder busy = new StringBuilder();
            for (Entry e : entries) {
                if (e.slot >= 0 && !evictable(e.key)) {
                    busy.append(' ').append(describe(e.key)).append(e.state == LOADING ? " loading" : "")
                            .append(e.pins > 0 ? " pins=" + e.pins : "").append(e.wanted > 0 ? " wanted=" + e.wanted : "").append(';');
                }
            }
            return "expert cache of " + layout.file().path().getFileName() + ": " + capacity + " slots (" + free + " free, " + resident
                    + " resident, " + reserved + " reserved by layers in progress), " + policy.name()
                    + (busy.isEmpty() ? "" : "; in use:" + busy);
        } finally {
            lock.unlock();
        }
    }

    /** Detaches every model and frees the slabs (after the reads in progress end). */
    @Override
    public void close() {
        List<Attachment> all;
        synchronized (attachments) {
            if (closed) return;
            closed = true;
            all = new ArrayList<>(attachments);
        }
        for (Attachment a : all) detach(a);
        if (io != null) io.close();
        reader.close();
        arena.close();
    }
}

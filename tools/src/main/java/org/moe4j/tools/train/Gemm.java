package org.moe4j.tools.train;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one matrix-product kernel of training, on heap floats: {@code C (+)= A · B} with B row-major and A read
 * through strides, so the same register-blocked kernel serves {@code X·W} (A by rows), {@code Xᵀ·dY} (A by
 * columns, the weight gradients) and, after {@link #transpose}, {@code X·Wᵀ}. Blocks of 4 rows of C by 3
 * vectors keep 12 accumulators in registers; each step loads 3 vectors of B and broadcasts 4 elements of A.
 * Single-threaded: training parallelises over micro-batches instead.
 */
public final class Gemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();

    private Gemm() {
    }

    /**
     * {@code C[i][j] (+)= Σ_k A(i,k) · B[k][j]} for {@code i < m, j < n, k < kk}, where
     * {@code A(i,k) = a[aOff + i*ars + k*acs]}, {@code B[k][j] = b[bOff + k*ldb + j]}, {@code C[i][j] = c[cOff + i*ldc + j]}.
     */
    public static void mul(int m, int n, int kk, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int ldb,
                           float[] c, int cOff, int ldc, boolean accumulate) {
        if (m <= 0 || n <= 0) return;
        if (kk <= 0) {
            if (!accumulate) for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            return;
        }
        int j = 0;
        for (; j + 3 * V <= n; j += 3 * V) {
            int i = 0;
            for (; i + 4 <= m; i += 4) block4x3(kk, a, aOff + i * ars, ars, acs, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, accumulate);
            for (; i < m; i++) block1x3(kk, a, aOff + i * ars, acs, b, bOff + j, ldb, c, cOff + i * ldc + j, accumulate);
        }
        for (; j < n; j += V) {
            VectorMask<Float> mask = S.indexInRange(j, n);
            int i = 0;
            for (; i + 4 <= m; i += 4) block4x1(kk, a, aOff + i * ars, ars, acs, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, accumulate, mask);
            for (; i < m; i++) block1x1(kk, a, aOff + i * ars, acs, b, bOff + j, ldb, c, cOff + i * ldc + j, accumulate, mask);
        }
    }

    /** {@code C = A · Bᵀ} with A {@code [m, kk]} and B {@code [n, kk]}, both row-major; {@code scratch} holds Bᵀ. */
    public static void mulTransposed(int m, int n, int kk, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                     float[] c, int cOff, int ldc, boolean accumulate, float[] scratch) {
        transpose(n, kk, b, bOff, ldb, scratch, 0, n);
        mul(m, n, kk, a, aOff, lda, 1, scratch, 0, n, c, cOff, ldc, accumulate);
    }

    /** {@code dst[j][i] = src[i][j]} for a {@code rows × cols} block. */
    public static void transpose(int rows, int cols, float[] src, int sOff, int lds, float[] dst, int dOff, int ldd) {
        final int t = 16;
        for (int i0 = 0; i0 < rows; i0 += t) {
            int i1 = Math.min(rows, i0 + t);
            for (int j0 = 0; j0 < cols; j0 += t) {
                int j1 = Math.min(cols, j0 + t);
                for (int i = i0; i < i1; i++) {
                    int s = sOff + i * lds;
                    for (int jj = j0; jj < j1; jj++) dst[dOff + jj * ldd + i] = src[s + jj];
                }
            }
        }
    }

    private static void block4x3(int kk, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int ldb,
                                 float[] c, int cOff, int ldc, boolean acc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00;
        int a0 = aOff, a1 = aOff + ars, a2 = aOff + 2 * ars, a3 = aOff + 3 * ars;
        for (int k = 0; k < kk; k++) {
            int bo = bOff + k * ldb;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + V);
            FloatVector b2 = FloatVector.fromArray(S, b, bo + 2 * V);
            int ak = k * acs;
            FloatVector x = FloatVector.broadcast(S, a[a0 + ak]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02);
            x = FloatVector.broadcast(S, a[a1 + ak]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12);
            x = FloatVector.broadcast(S, a[a2 + ak]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22);
            x = FloatVector.broadcast(S, a[a3 + ak]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32);
        }
        store(c00, c, cOff, acc); store(c01, c, cOff + V, acc); store(c02, c, cOff + 2 * V, acc);
        store(c10, c, cOff + ldc, acc); store(c11, c, cOff + ldc + V, acc); store(c12, c, cOff + ldc + 2 * V, acc);
        store(c20, c, cOff + 2 * ldc, acc); store(c21, c, cOff + 2 * ldc + V, acc); store(c22, c, cOff + 2 * ldc + 2 * V, acc);
        store(c30, c, cOff + 3 * ldc, acc); store(c31, c, cOff + 3 * ldc + V, acc); store(c32, c, cOff + 3 * ldc + 2 * V, acc);
    }

    private static void block1x3(int kk, float[] a, int aOff, int acs, float[] b, int bOff, int ldb,
                                 float[] c, int cOff, boolean acc) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0;
        for (int k = 0; k < kk; k++) {
            int bo = bOff + k * ldb;
            FloatVector x = FloatVector.broadcast(S, a[aOff + k * acs]);
            c0 = x.fma(FloatVector.fromArray(S, b, bo), c0);
            c1 = x.fma(FloatVector.fromArray(S, b, bo + V), c1);
            c2 = x.fma(FloatVector.fromArray(S, b, bo + 2 * V), c2);
        }
        store(c0, c, cOff, acc); store(c1, c, cOff + V, acc); store(c2, c, cOff + 2 * V, acc);
    }

    private static void block4x1(int kk, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int ldb,
                                 float[] c, int cOff, int ldc, boolean acc, VectorMask<Float> mask) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
        int a0 = aOff, a1 = aOff + ars, a2 = aOff + 2 * ars, a3 = aOff + 3 * ars;
        boolean full = mask.allTrue();
        for (int k = 0; k < kk; k++) {
            int bo = bOff + k * ldb;
            FloatVector bv = full ? FloatVector.fromArray(S, b, bo) : FloatVector.fromArray(S, b, bo, mask);
            int ak = k * acs;
            c0 = FloatVector.broadcast(S, a[a0 + ak]).fma(bv, c0);
            c1 = FloatVector.broadcast(S, a[a1 + ak]).fma(bv, c1);
            c2 = FloatVector.broadcast(S, a[a2 + ak]).fma(bv, c2);
            c3 = FloatVector.broadcast(S, a[a3 + ak]).fma(bv, c3);
        }
        store(c0, c, cOff, acc, mask); store(c1, c, cOff + ldc, acc, mask);
        store(c2, c, cOff + 2 * ldc, acc, mask); store(c3, c, cOff + 3 * ldc, acc, mask);
    }

    private static void block1x1(int kk, float[] a, int aOff, int acs, float[] b, int bOff, int ldb,
                                 float[] c, int cOff, boolean acc, VectorMask<Float> mask) {
        FloatVector c0 = FloatVector.zero(S);
        for (int k = 0; k < kk; k++) {
            FloatVector bv = FloatVector.fromArray(S, b, bOff + k * ldb, mask);
            c0 = FloatVector.broadcast(S, a[aOff + k * acs]).fma(bv, c0);
        }
        store(c0, c, cOff, acc, mask);
    }

    private static void store(FloatVector v, float[] c, int off, boolean acc) {
        if (acc) v = v.add(FloatVector.fromArray(S, c, off));
        v.intoArray(c, off);
    }

    private static void store(FloatVector v, float[] c, int off, boolean acc, VectorMask<Float> mask) {
        if (mask.allTrue()) {
            store(v, c, off, acc);
            return;
        }
        if (acc) v = v.add(FloatVector.fromArray(S, c, off, mask));
        v.intoArray(c, off, mask);
    }
}

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
    private static final int KC = 256;

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
        // k in chunks, so the panel of B that the row blocks share stays in cache
        for (int k0 = 0; k0 < kk; k0 += KC) {
            int kc = Math.min(KC, kk - k0);
            panels(m, n, kc, a, aOff + k0 * acs, ars, acs, b, bOff + k0 * ldb, ldb, c, cOff, ldc, accumulate || k0 > 0);
        }
    }

    private static void panels(int m, int n, int kk, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int ldb,
                               float[] c, int cOff, int ldc, boolean accumulate) {
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

    // Accumulators start from C when accumulating, so results are stored with plain writes: a helper method
    // for "load, add, store" was not inlined into the big kernels and then ran without vector intrinsics.

    private static void block4x3(int kk, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int ldb,
                                 float[] c, int cOff, int ldc, boolean acc) {
        int r1 = cOff + ldc, r2 = cOff + 2 * ldc, r3 = cOff + 3 * ldc;
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = acc ? FloatVector.fromArray(S, c, cOff) : z;
        FloatVector c01 = acc ? FloatVector.fromArray(S, c, cOff + V) : z;
        FloatVector c02 = acc ? FloatVector.fromArray(S, c, cOff + 2 * V) : z;
        FloatVector c10 = acc ? FloatVector.fromArray(S, c, r1) : z;
        FloatVector c11 = acc ? FloatVector.fromArray(S, c, r1 + V) : z;
        FloatVector c12 = acc ? FloatVector.fromArray(S, c, r1 + 2 * V) : z;
        FloatVector c20 = acc ? FloatVector.fromArray(S, c, r2) : z;
        FloatVector c21 = acc ? FloatVector.fromArray(S, c, r2 + V) : z;
        FloatVector c22 = acc ? FloatVector.fromArray(S, c, r2 + 2 * V) : z;
        FloatVector c30 = acc ? FloatVector.fromArray(S, c, r3) : z;
        FloatVector c31 = acc ? FloatVector.fromArray(S, c, r3 + V) : z;
        FloatVector c32 = acc ? FloatVector.fromArray(S, c, r3 + 2 * V) : z;
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
        c00.intoArray(c, cOff); c01.intoArray(c, cOff + V); c02.intoArray(c, cOff + 2 * V);
        c10.intoArray(c, r1); c11.intoArray(c, r1 + V); c12.intoArray(c, r1 + 2 * V);
        c20.intoArray(c, r2); c21.intoArray(c, r2 + V); c22.intoArray(c, r2 + 2 * V);
        c30.intoArray(c, r3); c31.intoArray(c, r3 + V); c32.intoArray(c, r3 + 2 * V);
    }

    private static void block1x3(int kk, float[] a, int aOff, int acs, float[] b, int bOff, int ldb,
                                 float[] c, int cOff, boolean acc) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c0 = acc ? FloatVector.fromArray(S, c, cOff) : z;
        FloatVector c1 = acc ? FloatVector.fromArray(S, c, cOff + V) : z;
        FloatVector c2 = acc ? FloatVector.fromArray(S, c, cOff + 2 * V) : z;
        for (int k = 0; k < kk; k++) {
            int bo = bOff + k * ldb;
            FloatVector x = FloatVector.broadcast(S, a[aOff + k * acs]);
            c0 = x.fma(FloatVector.fromArray(S, b, bo), c0);
            c1 = x.fma(FloatVector.fromArray(S, b, bo + V), c1);
            c2 = x.fma(FloatVector.fromArray(S, b, bo + 2 * V), c2);
        }
        c0.intoArray(c, cOff); c1.intoArray(c, cOff + V); c2.intoArray(c, cOff + 2 * V);
    }

    private static void block4x1(int kk, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int ldb,
                                 float[] c, int cOff, int ldc, boolean acc, VectorMask<Float> m) {
        int r1 = cOff + ldc, r2 = cOff + 2 * ldc, r3 = cOff + 3 * ldc;
        FloatVector z = FloatVector.zero(S);
        FloatVector c0 = acc ? FloatVector.fromArray(S, c, cOff, m) : z;
        FloatVector c1 = acc ? FloatVector.fromArray(S, c, r1, m) : z;
        FloatVector c2 = acc ? FloatVector.fromArray(S, c, r2, m) : z;
        FloatVector c3 = acc ? FloatVector.fromArray(S, c, r3, m) : z;
        int a0 = aOff, a1 = aOff + ars, a2 = aOff + 2 * ars, a3 = aOff + 3 * ars;
        for (int k = 0; k < kk; k++) {
            FloatVector bv = FloatVector.fromArray(S, b, bOff + k * ldb, m);
            int ak = k * acs;
            c0 = FloatVector.broadcast(S, a[a0 + ak]).fma(bv, c0);
            c1 = FloatVector.broadcast(S, a[a1 + ak]).fma(bv, c1);
            c2 = FloatVector.broadcast(S, a[a2 + ak]).fma(bv, c2);
            c3 = FloatVector.broadcast(S, a[a3 + ak]).fma(bv, c3);
        }
        c0.intoArray(c, cOff, m); c1.intoArray(c, r1, m); c2.intoArray(c, r2, m); c3.intoArray(c, r3, m);
    }

    private static void block1x1(int kk, float[] a, int aOff, int acs, float[] b, int bOff, int ldb,
                                 float[] c, int cOff, boolean acc, VectorMask<Float> m) {
        FloatVector c0 = acc ? FloatVector.fromArray(S, c, cOff, m) : FloatVector.zero(S);
        for (int k = 0; k < kk; k++) {
            c0 = FloatVector.broadcast(S, a[aOff + k * acs]).fma(FloatVector.fromArray(S, b, bOff + k * ldb, m), c0);
        }
        c0.intoArray(c, cOff, m);
    }
}

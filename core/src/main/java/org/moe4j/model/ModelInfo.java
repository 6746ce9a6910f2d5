package org.moe4j.model;

import org.moe4j.gguf.GGUFFile;
import org.moe4j.gguf.GGUFTensorInfo;

/**
 * Parameter and byte counts of a model file, split into what every token uses and what only the
 * selected experts use. "Active" counts assume the trained top-k; the token embedding counts one row
 * per token in the active bytes (it is a lookup) but fully in the parameters.
 */
public record ModelInfo(long totalParams, long expertParams, long activeParams, long totalBytes, long expertBytes,
                        long activeBytesPerToken, long paramsPerExpert, long bytesPerExpert, int expertCount,
                        int expertUsed, int moeLayers) {

    /** Routed-expert tensors: stacked ({@code *_exps}) or one per expert ({@code ffn_gate.E}). */
    public static boolean isRoutedExpertTensor(String name) {
        return name.contains("_exps.") || name.matches("blk\\.\\d+\\.ffn_(gate|up|down)\\.\\d+\\.weight");
    }

    public static ModelInfo of(GGUFFile f) {
        ModelConfig c = new ModelConfig(f);
        long total = 0, expert = 0, bytes = 0, expertBytes = 0, embRowBytes = 0, embBytes = 0;
        java.util.Set<Integer> moeLayers = new java.util.HashSet<>();
        for (GGUFTensorInfo t : f.tensors()) {
            long n = t.elementCount();
            total += n;
            bytes += t.byteSize();
            if (isRoutedExpertTensor(t.name())) {
                expert += n;
                expertBytes += t.byteSize();
                moeLayers.add(Integer.parseInt(t.name().split("\\.")[1]));
            }
            if (t.name().equals("token_embd.weight")) {
                embBytes = t.byteSize();
                embRowBytes = t.type().bytesFor(t.dims()[0]);
            }
        }
        int e = Math.max(1, c.expertCount);
        int k = c.isMoe() ? c.expertUsedCount : 1;
        double activeFraction = c.isMoe() ? (double) k / e : 1.0;
        long active = total - expert + Math.round(expert * activeFraction);
        boolean tied = !f.hasTensor("output.weight");
        long activeBytes = bytes - expertBytes + Math.round(expertBytes * activeFraction)
                - (tied ? 0 : embBytes - embRowBytes);
        int layers = Math.max(1, moeLayers.size());
        long perExpert = c.isMoe() ? expert / ((long) e * layers) : 0;
        long bytesPerExpert = c.isMoe() ? expertBytes / ((long) e * layers) : 0;
        return new ModelInfo(total, expert, active, bytes, expertBytes, activeBytes, perExpert, bytesPerExpert,
                c.expertCount, c.expertUsedCount, moeLayers.size());
    }
}

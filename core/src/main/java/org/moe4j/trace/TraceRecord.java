package org.moe4j.trace;

/**
 * One token's routing at one MoE layer, as stored in a trace.
 *
 * @param seq      sequence number given by the writer: a new one starts whenever a slot's position stops increasing
 * @param slot     the KV-cache slot (request) the token belongs to
 * @param pos      position of the token in its sequence
 * @param token    token id
 * @param layer    block index
 * @param nExpert  routed experts of the layer
 * @param experts  selected expert ids in selection order
 * @param weights  their mixing weights
 * @param scores   every expert's gating score, or null when the trace has none
 * @param predicted the experts the cross-layer gate predicted for this layer one block earlier
 *                  ({@link org.moe4j.moe.CrossLayerGate}), ascending; null when the trace has none or
 *                  no block precedes the layer
 */
public record TraceRecord(int seq, int slot, int pos, int token, int layer, int nExpert, int[] experts, float[] weights,
                          float[] scores, int[] predicted) {

    /** A record without a prediction. */
    public TraceRecord(int seq, int slot, int pos, int token, int layer, int nExpert, int[] experts, float[] weights,
                       float[] scores) {
        this(seq, slot, pos, token, layer, nExpert, experts, weights, scores, null);
    }
}

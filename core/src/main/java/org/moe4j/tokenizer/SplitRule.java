package org.moe4j.tokenizer;

/**
 * One step of a pre-tokenizer: refines a segmentation of the text into a finer one. Segments are given as
 * lengths in code points; a rule only ever cuts inside the segments it receives, never across them.
 */
interface SplitRule {
    IntList split(CodepointText text, IntList segments);
}

/**
 * Chat: turning a conversation into a prompt with the model's own Jinja chat template, and reading
 * the model's output back.
 *
 * <ul>
 *   <li>{@link org.moe4j.chat.ChatTemplate} renders {@link org.moe4j.chat.ChatMessage}s with
 *       {@link org.moe4j.chat.RenderOptions} exactly as Hugging Face's {@code apply_chat_template}
 *       does with Python's jinja2. Rendering runs on Jinjava; the package-private {@code Python*}
 *       and {@code Jinja*} classes adapt it where Jinjava and Jinja disagree.
 *   <li>{@link org.moe4j.chat.ChatFormat} tells, from a template, which output parser applies and
 *       where generation stops.
 *   <li>{@link org.moe4j.chat.ReasoningParser} (thinking tags) and
 *       {@link org.moe4j.chat.HarmonyParser} (gpt-oss channels) split streamed output into
 *       reasoning, answer and tool calls.
 * </ul>
 */
package org.moe4j.chat;

package org.moe4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every malformed or unservable request gets a 4xx with an OpenAI-style error body naming the problem. */
class BadRequestTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start("qwen3moe");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static final String CHAT = "/v1/chat/completions";
    private static final String COMPLETIONS = "/v1/completions";
    private static final String HI = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

    static Stream<Arguments> cases() {
        String longText = "word ".repeat(3000);
        return Stream.of(
                // path, body, status, type, param, code
                Arguments.of(CHAT, "{\"messages\": [", 400, "invalid_request_error", null, "invalid_json"),
                Arguments.of(CHAT, "not json at all", 400, "invalid_request_error", null, "invalid_json"),
                Arguments.of(CHAT, "[1, 2]", 400, "invalid_request_error", null, "invalid_json"),
                Arguments.of(COMPLETIONS, "{\"prompt\": \"a\",}", 400, "invalid_request_error", null, "invalid_json"),
                Arguments.of(CHAT, "{\"model\":\"gpt-4o\"," + HI + "}", 404, "invalid_request_error", "model", "model_not_found"),
                Arguments.of(COMPLETIONS, "{\"model\":\"nope\",\"prompt\":\"a\"}", 404, "invalid_request_error", "model", "model_not_found"),
                Arguments.of(CHAT, "{\"messages\":[{\"role\":\"user\",\"content\":\"" + longText + "\"}]}", 400, "invalid_request_error",
                        "messages", "context_length_exceeded"),
                Arguments.of(COMPLETIONS, "{\"prompt\":\"" + longText + "\"}", 400, "invalid_request_error", "prompt", "context_length_exceeded"),
                Arguments.of(CHAT, "{" + HI + ",\"max_tokens\":1000000000}", 400, "invalid_request_error", "max_tokens", "context_length_exceeded"),
                Arguments.of(CHAT, "{" + HI + ",\"max_tokens\":99999999999999}", 400, "invalid_request_error", "max_tokens", "invalid_value"),
                Arguments.of(CHAT, "{" + HI + ",\"max_completion_tokens\":0}", 400, "invalid_request_error", "max_completion_tokens", "invalid_value"),
                Arguments.of(COMPLETIONS, "{\"prompt\":\"a\",\"max_tokens\":-5}", 400, "invalid_request_error", "max_tokens", "invalid_value"),
                Arguments.of(CHAT, "{" + HI + ",\"max_tokens\":\"many\"}", 400, "invalid_request_error", "max_tokens", "invalid_type"),
                Arguments.of(CHAT, "{" + HI + ",\"temperature\":-0.5}", 400, "invalid_request_error", "temperature", "invalid_value"),
                Arguments.of(COMPLETIONS, "{\"prompt\":\"a\",\"temperature\":-1}", 400, "invalid_request_error", "temperature", "invalid_value"),
                Arguments.of(CHAT, "{" + HI + ",\"temperature\":7}", 400, "invalid_request_error", "temperature", "invalid_value"),
                Arguments.of(CHAT, "{" + HI + ",\"top_p\":1.5}", 400, "invalid_request_error", "top_p", "invalid_value"),
                Arguments.of(CHAT, "{" + HI + ",\"n\":3}", 400, "invalid_request_error", "n", "unsupported_parameter"),
                Arguments.of(CHAT, "{" + HI + ",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}", 400, "invalid_request_error", "stop", "invalid_value"),
                Arguments.of(CHAT, "{" + HI + ",\"stop\":42}", 400, "invalid_request_error", "stop", "invalid_type"),
                Arguments.of(CHAT, "{}", 400, "invalid_request_error", "messages", "missing_required_parameter"),
                Arguments.of(CHAT, "{\"messages\":[]}", 400, "invalid_request_error", "messages", "invalid_value"),
                Arguments.of(CHAT, "{\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}", 400, "invalid_request_error",
                        "messages[0].role", "invalid_value"),
                Arguments.of(CHAT, "{\"messages\":[{\"role\":\"user\"}]}", 400, "invalid_request_error", "messages[0].content",
                        "missing_required_parameter"),
                Arguments.of(CHAT, "{" + HI + ",\"top_logprobs\":3}", 400, "invalid_request_error", "top_logprobs", "invalid_value"),
                Arguments.of(CHAT, "{" + HI + ",\"logprobs\":true,\"top_logprobs\":50}", 400, "invalid_request_error", "top_logprobs", "invalid_value"),
                Arguments.of(CHAT, "{" + HI + ",\"response_format\":{\"type\":\"yaml\"}}", 400, "invalid_request_error", "response_format", "invalid_value"),
                Arguments.of(CHAT, "{" + HI + ",\"seed\":1.5}", 400, "invalid_request_error", "seed", "invalid_type"),
                Arguments.of(CHAT, "{" + HI + ",\"stream_options\":{\"include_usage\":true}}", 400, "invalid_request_error", "stream_options",
                        "invalid_value"),
                Arguments.of(CHAT, "{" + HI + ",\"moe4j\":{\"policy\":\"top-k=banana\"}}", 400, "invalid_request_error", "moe4j.policy", "invalid_value"),
                Arguments.of(CHAT, "{" + HI + ",\"moe4j\":{\"polcy\":\"top-k=2\"}}", 400, "invalid_request_error", "moe4j.polcy", "unknown_parameter"),
                Arguments.of(COMPLETIONS, "{}", 400, "invalid_request_error", "prompt", "missing_required_parameter"),
                Arguments.of(COMPLETIONS, "{\"prompt\":[5, 99999]}", 400, "invalid_request_error", "prompt", "invalid_value"),
                Arguments.of(COMPLETIONS, "{\"prompt\":\"a\",\"logprobs\":9}", 400, "invalid_request_error", "logprobs", "invalid_value"));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void isRefusedWithAnOpenAiErrorBody(String path, String body, int status, String type, String param, String code) throws Exception {
        HttpResponse<String> r = server.post(path, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertError(r.body(), type, param, code);
    }

    static void assertError(String body, String type, String param, String code) throws Exception {
        JsonNode e = TestServer.json(body).get("error");
        assertThat(e).as(body).isNotNull();
        assertThat(e.get("message").asText()).isNotBlank();
        assertThat(e.get("type").asText()).isEqualTo(type);
        if (param == null) assertThat(e.get("param").isNull()).as(body).isTrue();
        else assertThat(e.get("param").asText()).isEqualTo(param);
        if (code == null) assertThat(e.get("code").isNull()).as(body).isTrue();
        else assertThat(e.get("code").asText()).isEqualTo(code);
    }

    @Test
    void aPolicyNamingAnExpertTheModelLacksIsRefusedBeforeTheStreamStarts() throws Exception {
        HttpResponse<String> r = server.post(CHAT, "{" + HI + ",\"stream\":true,\"moe4j\":{\"policy\":\"mask=99\"}}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertError(r.body(), "invalid_request_error", "moe4j.policy", "invalid_value");
        assertThat(TestServer.json(r.body()).get("error").get("message").asText()).contains("expert 99 does not exist");
    }

    @Test
    void unknownPathsAndModelsAreNotFound() throws Exception {
        HttpResponse<String> r = server.get("/v1/nothing-here");
        assertThat(r.statusCode()).isEqualTo(404);
        assertError(r.body(), "not_found_error", null, null);
        r = server.get("/v1/models/other");
        assertThat(r.statusCode()).isEqualTo(404);
        assertError(r.body(), "invalid_request_error", "model", "model_not_found");
    }

    @Test
    void theServerStillAnswersAfterAllThat() throws Exception {
        HttpResponse<String> r = server.post(CHAT, "{" + HI + ",\"max_tokens\":3,\"temperature\":0}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(TestServer.json(r.body()).get("usage").get("completion_tokens").asInt()).isBetween(1, 3);
    }
}

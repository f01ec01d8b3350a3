package dev.thredo.spring.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.StringHttpMessageConverter;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The one problem writer: the application's converter first, Spring's defaults when none fits. */
class ProblemDetailWriterTest {

    @Test
    void writesThroughTheApplicationsConverter() throws Exception {
        JsonMapper indenting = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
        ProblemDetailWriter writer = new ProblemDetailWriter(() -> List.<HttpMessageConverter<?>>of(
                new StringHttpMessageConverter(), new JacksonJsonHttpMessageConverter(indenting)));
        MockHttpServletResponse response = new MockHttpServletResponse();

        assertThat(writer.write(response, ThredoProblems.requestCancelled())).isTrue();

        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getContentType()).startsWith("application/problem+json");
        assertThat(response.getContentAsString()).contains("\n").contains("\"type\" : \""
                + ThredoProblems.REQUEST_CANCELLED + "\"");
        assertThat(response.isCommitted()).isTrue();
    }

    @Test
    void fallsBackToSpringsDefaultsWhenNoApplicationConverterFits() throws Exception {
        ProblemDetailWriter writer = new ProblemDetailWriter(
                () -> List.<HttpMessageConverter<?>>of(new StringHttpMessageConverter()));
        MockHttpServletResponse response = new MockHttpServletResponse();

        writer.write(response, ThredoProblems.unknownThreadId(7));

        assertThat(response.getStatus()).isEqualTo(404);
        assertThat(response.getContentType()).startsWith("application/problem+json");
        assertThat(response.getContentAsString()).contains("\"type\":\"" + ThredoProblems.UNKNOWN_THREAD_ID + "\"")
                .contains("\"title\":\"Unknown thread id\"").contains("\"status\":404")
                .contains("\"detail\":\"no live thredo thread with id 7\"");
    }

    @Test
    void keepsHeadersAlreadySet() throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        response.setHeader("WWW-Authenticate", "Basic realm=\"x\"");

        new ProblemDetailWriter().write(response,
                ProblemDetail.forStatusAndDetail(HttpStatus.UNAUTHORIZED, "Authentication required."));

        assertThat(response.getStatus()).isEqualTo(401);
        assertThat(response.getHeader("WWW-Authenticate")).isEqualTo("Basic realm=\"x\"");
        assertThat(response.getContentAsString()).contains("\"detail\":\"Authentication required.\"");
    }

    @Test
    void leavesACommittedResponseAlone() throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        response.setStatus(200);
        response.getWriter().write("begun");
        response.flushBuffer();

        assertThat(new ProblemDetailWriter().write(response, ThredoProblems.requestCancelled())).isFalse();

        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.getContentAsString()).isEqualTo("begun");
    }

    @Test
    void theInstanceIsThePathWithinTheContextOrNoneIfItIsNoUri() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/app/api/slow");
        request.setContextPath("/app");
        assertThat(ProblemDetailWriter.instanceOf(request)).isEqualTo(URI.create("/api/slow"));
        assertThat(ProblemDetailWriter.instanceOf(new MockHttpServletRequest("GET", "/a b"))).isNull();
        assertThat(ProblemDetailWriter.instance("/x%20y")).isEqualTo(URI.create("/x%20y"));
    }
}

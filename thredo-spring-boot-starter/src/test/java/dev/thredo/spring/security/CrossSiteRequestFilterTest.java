package dev.thredo.spring.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** Which requests {@link CrossSiteRequestFilter} lets through, header by header; the request's Host is {@code app.example:8080}. */
class CrossSiteRequestFilterTest {

    @ParameterizedTest(name = "{0} Sec-Fetch-Site={1} Origin={2} -> {3}")
    @CsvSource(nullValues = "-", value = {
            // not from a browser: curl, scripts
            "POST,   -,           -,                         pass",
            "DELETE, -,           -,                         pass",
            // Sec-Fetch-Site decides when present
            "POST,   same-origin, -,                         pass",
            "POST,   none,        -,                         pass",
            "POST,   same-origin, https://evil.example,      pass",
            "POST,   cross-site,  -,                         refuse",
            "POST,   same-site,   -,                         refuse",
            "POST,   cross-site,  http://app.example:8080,   refuse",
            "PUT,    cross-site,  -,                         refuse",
            "PATCH,  Cross-Site,  -,                         refuse",
            "POST,   garbage,     -,                         refuse",
            // otherwise Origin against Host
            "POST,   -,           http://app.example:8080,   pass",
            "POST,   -,           https://app.example:8080,  pass",
            "POST,   -,           HTTP://APP.EXAMPLE:8080,   pass",
            "POST,   -,           http://app.example,        refuse",
            "POST,   -,           http://app.example:8081,   refuse",
            "POST,   -,           http://evil.example,       refuse",
            "POST,   -,           http://app.example:8080.evil.example, refuse",
            "POST,   -,           null,                      refuse",
            "POST,   -,           http://app.example:8080/,  refuse",
            "POST,   -,           file://,                   refuse",
            "POST,   -,           %%,                        refuse",
            // safe methods are never refused
            "GET,    cross-site,  https://evil.example,      pass",
            "HEAD,   cross-site,  null,                      pass",
            "OPTIONS, cross-site, https://evil.example,      pass",
    })
    void decides(String method, String secFetchSite, String origin, String expected) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest(method, "/actuator/thredo/7/cancel");
        request.addHeader("Host", "app.example:8080");
        if (secFetchSite != null) {
            request.addHeader("Sec-Fetch-Site", secFetchSite);
        }
        if (origin != null) {
            request.addHeader("Origin", origin);
        }
        MockHttpServletResponse response = new MockHttpServletResponse();
        MockFilterChain chain = new MockFilterChain();

        new CrossSiteRequestFilter().doFilter(request, response, chain);

        if (expected.equals("pass")) {
            assertThat(chain.getRequest()).as("passed on").isSameAs(request);
            assertThat(response.getStatus()).isEqualTo(200);
        } else {
            assertThat(chain.getRequest()).as("passed on").isNull();
            assertThat(response.getStatus()).isEqualTo(403);
            assertThat(response.getContentType()).startsWith("application/problem+json");
            assertThat(response.getContentAsString()).contains("README.md#cross-site-request-refused")
                    .contains("\"status\":403").contains("\"instance\":\"/actuator/thredo/7/cancel\"");
        }
    }
}

package dev.thredo.spring.security;

import dev.thredo.spring.actuate.ThredoEndpoint;
import dev.thredo.spring.actuate.ThredoEndpointAutoConfiguration;
import dev.thredo.spring.problem.ProblemDetailWriter;
import dev.thredo.spring.problem.ThredoProblemAutoConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Makes a CSRF denial of the thredo endpoint explicit in a servlet application secured by Spring
 * Security: a request that carries credentials but no valid CSRF token (say
 * {@code curl -u user:password -X POST .../actuator/thredo/7/cancel} under Boot's default security)
 * gets {@code 403} with a problem of type
 * {@code https://github.com/thredo-dev/thredo-java/blob/main/README.md#csrf-token-required} instead of
 * the 401 Basic challenge Spring Security's default handling ends in.
 *
 * <p>It decides nothing about access: it only sets a <em>default</em> access-denied handler for the
 * endpoint's paths in every {@code HttpSecurity} (Spring Security applies {@code Customizer<HttpSecurity>}
 * beans to each), used only where the application's chain sets no {@code accessDeniedHandler} of its
 * own; every other denial is answered as Spring Security's default would. Active when Spring
 * Security's web configuration is on the class path and the endpoint is exposed over HTTP. The
 * handler only writes the problem, through {@link dev.thredo.spring.problem.ProblemDetailWriter}
 * (whose Javadoc states what blocks); it neither cancels nor waits for anything.
 */
@AutoConfiguration(after = { ThredoEndpointAutoConfiguration.class, ThredoProblemAutoConfiguration.class },
        afterName = "org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({ HttpSecurity.class, PathMappedEndpoints.class })
@ConditionalOnAvailableEndpoint(endpoint = ThredoEndpoint.class, exposure = EndpointExposure.WEB)
public class ThredoSecurityAutoConfiguration {

    /** Created by Spring Boot only: exclude this auto-configuration or replace its beans instead. */
    ThredoSecurityAutoConfiguration() {
    }

    @Bean
    @ConditionalOnBean({ ThredoEndpoint.class, PathMappedEndpoints.class })
    Customizer<HttpSecurity> thredoCsrfProblemCustomizer(PathMappedEndpoints endpoints,
            ObjectProvider<ProblemDetailWriter> problems) {
        String path = endpoints.getPath(EndpointId.of("thredo"));
        if (path == null) { // not mapped after all: nothing to explain
            return http -> { };
        }
        RequestMatcher endpoint = PathPatternRequestMatcher.pathPattern(path + "/**");
        return http -> http.exceptionHandling(exceptions -> exceptions
                .defaultAccessDeniedHandlerFor(
                        new CsrfProblemAccessDeniedHandler(endpoint, problems.getIfAvailable(ProblemDetailWriter::new)),
                        endpoint));
    }
}

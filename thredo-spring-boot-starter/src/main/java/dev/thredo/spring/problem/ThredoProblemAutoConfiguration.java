package dev.thredo.spring.problem;

import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

/**
 * Auto-configures the {@link ProblemDetailWriter} of a servlet web application, writing through the
 * message converters of its Spring MVC (those of its {@link RequestMappingHandlerAdapter}). The
 * starter's request filter answers with it, and an application may use it for answers of its own
 * outside handlers (security entry points, an error controller); it backs off for one the
 * application defines. Configuration only: nothing here blocks; the writer's own blocking is stated
 * on {@link ProblemDetailWriter}.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({ DispatcherServlet.class, ProblemDetail.class })
public class ThredoProblemAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ThredoProblemAutoConfiguration.class);

    /** Created by Spring Boot only: exclude this auto-configuration or replace its beans instead. */
    ThredoProblemAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean
    ProblemDetailWriter thredoProblemDetailWriter(ObjectProvider<RequestMappingHandlerAdapter> adapters) {
        return new ProblemDetailWriter(() -> adapters.orderedStream().findFirst()
                .map(RequestMappingHandlerAdapter::getMessageConverters)
                .orElse(List.<HttpMessageConverter<?>>of()));
    }

    /** Warms the writer up once every bean exists (Spring MVC's converters included), before requests come. */
    @Bean
    static SmartInitializingSingleton thredoProblemDetailWriterWarmUp(ObjectProvider<ProblemDetailWriter> writer) {
        return () -> {
            try {
                ProblemDetailWriter problems = writer.getIfUnique();
                if (problems != null) {
                    problems.warmUp();
                }
            } catch (IOException | RuntimeException e) {
                log.debug("could not warm the problem writer up; its first write will", e);
            }
        };
    }
}

package dev.thredo.spring.web;

import dev.thredo.Kernel;
import dev.thredo.spring.RequestThreads;
import dev.thredo.spring.ThredoAutoConfiguration;
import dev.thredo.spring.ThredoProperties;
import dev.thredo.spring.actuate.ThredoDisconnectMetrics;
import dev.thredo.spring.problem.ProblemDetailWriter;
import dev.thredo.spring.problem.ThredoProblemAutoConfiguration;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.config.annotation.AsyncSupportConfigurer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Spring MVC request scope: each request runs as a thredo thread named {@code "<METHOD> <path>"}
 * with a request-scoped {@link dev.thredo.ThredoGroup} (see {@link ThredoRequestFilter}); handler
 * parameters of type {@code ThredoGroup} receive it; cancelled or timed-out requests answer 503 with
 * an RFC 9457 problem body. On by default in a servlet web application with a thredo kernel; off with
 * {@code thredo.web.enabled=false}.
 *
 * <p>On embedded Tomcat, requests whose HTTP/1.1 client disconnects are cancelled too
 * ({@code thredo.web.cancel-on-disconnect}, on by default): the connector's protocol becomes
 * {@link ThredoHttp11NioProtocol}, one watcher thread per application watches long-running requests
 * (see {@link TomcatClientDisconnects}), and the meter {@code thredo.web.disconnects} counts them.
 */
@AutoConfiguration(after = { ThredoAutoConfiguration.class, ThredoProblemAutoConfiguration.class })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({DispatcherServlet.class, Kernel.class})
@ConditionalOnBean(Kernel.class)
@ConditionalOnBooleanProperty(name = "thredo.web.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ThredoProperties.class)
public final class ThredoWebMvcAutoConfiguration {

    /**
     * Order of the request filter: after Boot's own filters (character encoding, observation, form
     * content, request context) and after Spring Security (-100), so it wraps handler execution.
     */
    public static final int FILTER_ORDER = 0;

    /** Created by Spring Boot only: exclude this auto-configuration or replace its beans instead. */
    ThredoWebMvcAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean(name = "thredoRequestFilter")
    FilterRegistrationBean<ThredoRequestFilter> thredoRequestFilter(Kernel kernel, ThredoProperties properties,
            ObjectProvider<ClientDisconnects> disconnects, RequestThreads requests,
            ObjectProvider<ProblemDetailWriter> problems) {
        FilterRegistrationBean<ThredoRequestFilter> registration = new FilterRegistrationBean<>(
                new ThredoRequestFilter(kernel, properties.getWeb().getRequestTimeout(), disconnects.getIfAvailable(),
                        requests, problems.getIfAvailable(ProblemDetailWriter::new)));
        registration.setName("thredoRequestFilter");
        registration.setOrder(FILTER_ORDER);
        return registration;
    }

    @Bean
    @ConditionalOnMissingBean
    ThredoCancellationExceptionResolver thredoCancellationExceptionResolver() {
        return new ThredoCancellationExceptionResolver();
    }

    @Bean
    ThredoWebMvcConfigurer thredoWebMvcConfigurer(BeanFactory beanFactory) {
        return new ThredoWebMvcConfigurer(SingletonSupplier.of(() -> mvcExecutorWithoutThredo(beanFactory)));
    }

    /** The executor Boot gives Spring MVC's async support: {@code applicationTaskExecutor}, else Spring MVC's default. */
    private static AsyncTaskExecutor mvcExecutorWithoutThredo(BeanFactory beanFactory) {
        String name = TaskExecutionAutoConfiguration.APPLICATION_TASK_EXECUTOR_BEAN_NAME;
        if (beanFactory.containsBean(name) && beanFactory.getBean(name) instanceof AsyncTaskExecutor executor) {
            return executor;
        }
        return new SimpleAsyncTaskExecutor("MvcAsync");
    }

    /**
     * The request integration's part of the MVC configuration: {@code ThredoGroup} handler parameters,
     * and async handlers run as the request's async thread ({@link ThredoAsyncTaskExecutor},
     * {@link AsyncRequestInterceptor}).
     *
     * <p>Ordered after Boot's own configurer (order 0, which gives MVC the {@code applicationTaskExecutor})
     * and before the application's (unordered ones come last): an application that sets its own
     * executor in {@code configureAsyncSupport} keeps it, and its {@code Callable}s run there, outside
     * the request's group and deadline.
     */
    static final class ThredoWebMvcConfigurer implements WebMvcConfigurer, Ordered {
        static final int ORDER = 1;

        private final Supplier<AsyncTaskExecutor> fallback;

        ThredoWebMvcConfigurer(Supplier<AsyncTaskExecutor> fallback) {
            this.fallback = fallback;
        }

        @Override
        public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
            resolvers.add(new ThredoGroupArgumentResolver());
        }

        @Override
        public void configureAsyncSupport(AsyncSupportConfigurer configurer) {
            AsyncRequestInterceptor interceptor = new AsyncRequestInterceptor();
            configurer.setTaskExecutor(new ThredoAsyncTaskExecutor(fallback))
                    .registerCallableInterceptors(interceptor)
                    .registerDeferredResultInterceptors(interceptor);
        }

        @Override
        public int getOrder() {
            return ORDER;
        }
    }

    /** Client-disconnect cancellation on embedded Tomcat; absent with {@code thredo.web.cancel-on-disconnect=false}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = { "org.apache.coyote.http11.Http11NioProtocol",
            "org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory" })
    @ConditionalOnBooleanProperty(name = "thredo.web.cancel-on-disconnect", matchIfMissing = true)
    static class TomcatDisconnectConfiguration {

        @Bean
        static ThredoTomcatProtocolCustomizer thredoTomcatProtocolCustomizer() {
            return new ThredoTomcatProtocolCustomizer();
        }

        @Bean(destroyMethod = "close")
        TomcatClientDisconnects thredoClientDisconnects() {
            return new TomcatClientDisconnects("thredo-disconnect-watcher");
        }

        @Configuration(proxyBeanMethods = false)
        @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
        static class DisconnectMetricsConfiguration {

            @Bean
            @ConditionalOnMissingBean
            ThredoDisconnectMetrics thredoDisconnectMetrics(TomcatClientDisconnects disconnects) {
                return new ThredoDisconnectMetrics(disconnects::disconnects, Tags.empty());
            }
        }
    }
}

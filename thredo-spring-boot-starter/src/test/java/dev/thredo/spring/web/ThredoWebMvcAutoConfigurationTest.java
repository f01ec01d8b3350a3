package dev.thredo.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.spring.ThredoAutoConfiguration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.test.util.ReflectionTestUtils;
import org.springframework.web.servlet.config.annotation.AsyncSupportConfigurer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

class ThredoWebMvcAutoConfigurationTest {
    private final WebApplicationContextRunner web = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ThredoAutoConfiguration.class, ThredoWebMvcAutoConfiguration.class));

    @Test
    void registersTheRequestFilterInAServletWebApplication() {
        web.withPropertyValues("thredo.web.request-timeout=2s").run(context -> {
            assertThat(context).hasBean("thredoRequestFilter");
            assertThat(context).hasSingleBean(ThredoCancellationExceptionResolver.class);
            FilterRegistrationBean<?> registration = context.getBean("thredoRequestFilter", FilterRegistrationBean.class);
            assertThat(registration.getFilter()).isInstanceOf(ThredoRequestFilter.class);
            assertThat(registration.getOrder()).isEqualTo(ThredoWebMvcAutoConfiguration.FILTER_ORDER);
        });
    }

    @Test
    void backsOffWhenDisabled() {
        web.withPropertyValues("thredo.web.enabled=false").run(context -> {
            assertThat(context).doesNotHaveBean("thredoRequestFilter");
            assertThat(context).doesNotHaveBean(ThredoCancellationExceptionResolver.class);
        });
    }

    @Test
    void backsOffWithoutAKernel() {
        web.withPropertyValues("thredo.enabled=false").run(context ->
                assertThat(context).doesNotHaveBean("thredoRequestFilter"));
    }

    @Test
    void backsOffOutsideAServletWebApplication() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ThredoAutoConfiguration.class, ThredoWebMvcAutoConfiguration.class))
                .run(context -> assertThat(context).doesNotHaveBean("thredoRequestFilter"));
    }

    private final WebApplicationContextRunner mvc = web.withConfiguration(AutoConfigurations.of(
            TaskExecutionAutoConfiguration.class, DispatcherServletAutoConfiguration.class, WebMvcAutoConfiguration.class));

    @Test
    void mvcAsyncHandlersRunThroughThredosExecutorAndInterceptor() {
        mvc.run(context -> {
            RequestMappingHandlerAdapter adapter = context.getBean(RequestMappingHandlerAdapter.class);
            assertThat(ReflectionTestUtils.getField(adapter, "taskExecutor")).isInstanceOf(ThredoAsyncTaskExecutor.class);
            assertThat((Object[]) ReflectionTestUtils.getField(adapter, "callableInterceptors"))
                    .hasExactlyElementsOfTypes(AsyncRequestInterceptor.class);
            assertThat((Object[]) ReflectionTestUtils.getField(adapter, "deferredResultInterceptors"))
                    .hasExactlyElementsOfTypes(AsyncRequestInterceptor.class);
        });
    }

    @Test
    void outsideAThredoRequestCallablesGoToTheExecutorBootWouldGiveMvc() {
        List<Runnable> ran = new CopyOnWriteArrayList<>();
        AsyncTaskExecutor applicationTaskExecutor = task -> {
            ran.add(task);
            task.run();
        };
        mvc.withBean("applicationTaskExecutor", AsyncTaskExecutor.class, () -> applicationTaskExecutor).run(context -> {
            AsyncTaskExecutor executor = (AsyncTaskExecutor) ReflectionTestUtils.getField(
                    context.getBean(RequestMappingHandlerAdapter.class), "taskExecutor");
            Runnable task = () -> { };
            executor.execute(task);
            assertThat(ran).containsExactly(task);
        });
    }

    @Test
    void anApplicationsOwnMvcAsyncExecutorIsKept() {
        mvc.withUserConfiguration(OwnAsyncExecutor.class).run(context ->
                assertThat(ReflectionTestUtils.getField(context.getBean(RequestMappingHandlerAdapter.class), "taskExecutor"))
                        .isSameAs(OwnAsyncExecutor.EXECUTOR));
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnAsyncExecutor implements WebMvcConfigurer {
        static final AsyncTaskExecutor EXECUTOR = Runnable::run;

        @Override
        public void configureAsyncSupport(AsyncSupportConfigurer configurer) {
            configurer.setTaskExecutor(EXECUTOR);
        }
    }
}

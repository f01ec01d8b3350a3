package dev.thredo.spring.task;

import dev.thredo.Kernel;
import java.util.function.Supplier;
import org.aopalliance.aop.Advice;
import org.springframework.aop.Advisor;
import org.springframework.aop.Pointcut;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.framework.AopInfrastructureBean;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.scheduling.annotation.AsyncAnnotationAdvisor;

/**
 * Puts thredo's two {@code @Async} interceptors around Spring's: {@link AsyncSubmitInterceptor} in
 * front of the {@link AsyncAnnotationAdvisor} of every bean {@code @EnableAsync} proxied (on the
 * caller's thread) and {@link AsyncRunInterceptor} right behind it (on the executor's thread), with the
 * same pointcut, so exactly the {@code @Async} methods are affected.
 *
 * <p>Deliberately neither {@code PriorityOrdered} nor {@code Ordered}: such post-processors run after
 * every ordered one, so after {@code AsyncAnnotationBeanPostProcessor}, which adds its advisor
 * first in the chain of the proxy it finds or makes.
 */
public class ThredoAsyncPostProcessor implements BeanPostProcessor {

    private final AsyncSubmitInterceptor submit = new AsyncSubmitInterceptor();
    private final AsyncRunInterceptor run;

    /**
     * Creates the post-processor; the task auto-configuration registers one.
     *
     * @param kernel the kernel that runs are adopted into (looked up when a run starts, so the
     *     post-processor can be created before the kernel bean)
     */
    public ThredoAsyncPostProcessor(Supplier<Kernel> kernel) {
        this.run = new AsyncRunInterceptor(kernel);
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (!(bean instanceof Advised advised) || advised.isFrozen() || bean instanceof AopInfrastructureBean) {
            return bean;
        }
        Advisor[] advisors = advised.getAdvisors();
        int async = -1;
        for (int i = 0; i < advisors.length; i++) {
            if (advisors[i] instanceof ThredoAsyncAdvisor) {
                return bean; // done already
            }
            if (async < 0 && advisors[i] instanceof AsyncAnnotationAdvisor) {
                async = i;
            }
        }
        if (async < 0) {
            return bean;
        }
        Pointcut pointcut = ((AsyncAnnotationAdvisor) advisors[async]).getPointcut();
        advised.addAdvisor(async + 1, new ThredoAsyncAdvisor(pointcut, run));
        advised.addAdvisor(async, new ThredoAsyncAdvisor(pointcut, submit));
        return bean;
    }

    /** Marks thredo's advisors in a proxy's chain. */
    static final class ThredoAsyncAdvisor extends DefaultPointcutAdvisor {
        ThredoAsyncAdvisor(Pointcut pointcut, Advice advice) {
            super(pointcut, advice);
        }
    }
}

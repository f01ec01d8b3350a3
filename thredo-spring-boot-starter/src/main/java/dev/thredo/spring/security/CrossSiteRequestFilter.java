package dev.thredo.spring.security;

import dev.thredo.spring.problem.ProblemDetailWriter;
import dev.thredo.spring.problem.ThredoProblems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses every state-changing request that a browser marks as cross-site, with {@code 403} and an
 * RFC 9457 problem of type {@link #CROSS_SITE_REQUEST_REFUSED}; lets everything else through.
 *
 * <p>The decision, for any method but {@code GET}, {@code HEAD}, {@code OPTIONS} and {@code TRACE}:
 * <ol>
 * <li>With a {@code Sec-Fetch-Site} header, it alone decides: {@code same-origin} (a page of this
 * origin) and {@code none} (typed by the user) pass; {@code same-site} (a sibling subdomain) and
 * {@code cross-site} are refused.
 * <li>Without it, an {@code Origin} header decides: it passes only if its host and port are the
 * request's {@code Host}; any other origin, {@code null} (sandboxed frames, {@code data:} pages) or
 * a malformed one is refused.
 * <li>With neither, the request passes: it does not come from a browser (curl, a script, a
 * monitoring system), or from one too old to tell.
 * </ol>
 *
 * <p>Why this can replace a CSRF token: a cross-site request forgery needs a browser to attach
 * credentials it holds for this origin (cached HTTP Basic credentials, a session cookie), and
 * browsers mark every cross-site request with {@code Sec-Fetch-Site} (all current ones) and a
 * state-changing one with {@code Origin} (all since 2020). A page's script can neither set nor remove
 * those headers. A client that is not a browser holds its credentials itself: nobody else can make it
 * send them. The check needs no cookie, session or token round trip, so
 * {@code curl -u user:password -X POST .../cancel} works as is, while a form, {@code fetch} or
 * {@code text/plain} post from any other site, a sibling subdomain included, is refused whatever
 * credentials the browser would add.
 *
 * <p>The {@code Origin} fallback compares with the {@code Host} header the server received, so a
 * proxy in front must pass {@code Host} on unchanged (nginx: {@code proxy_set_header Host $host}),
 * or posts from this application's own pages in browsers without {@code Sec-Fetch-Site} look
 * cross-site. Browsers that send {@code Sec-Fetch-Site} are not affected.
 *
 * <p>Put the filter where Spring Security's CSRF filter would be, in a chain whose CSRF token check it
 * replaces: {@code http.csrf(c -> c.disable()).addFilterBefore(new CrossSiteRequestFilter(), CsrfFilter.class)}.
 * A request refused here never reaches authentication, so the answer is the same with or without
 * credentials. Stateless and thread-safe. The decision reads headers only; the one thing that can
 * block is writing the refusal to the client (through {@link ProblemDetailWriter}, see its blocking
 * note), and a refused request goes no further down the chain.
 */
public final class CrossSiteRequestFilter extends OncePerRequestFilter {

    /** The {@code type} of the problem this filter answers with. */
    public static final URI CROSS_SITE_REQUEST_REFUSED = ThredoProblems.CROSS_SITE_REQUEST_REFUSED;

    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");
    /** How much of a header value the problem quotes. */
    private static final int ECHO_LIMIT = 60;

    private final ProblemDetailWriter problems;

    /** A filter whose problems Spring's default converters write (for a chain built without the context). */
    public CrossSiteRequestFilter() {
        this(new ProblemDetailWriter());
    }

    /**
     * A filter whose problems the application's writer answers, so they look like every other
     * problem of the application.
     *
     * @param problems writes the 403 problem (the application's {@link ProblemDetailWriter} bean)
     * @throws NullPointerException if {@code problems} is {@code null}
     */
    public CrossSiteRequestFilter(ProblemDetailWriter problems) {
        this.problems = Objects.requireNonNull(problems, "problems");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String marker = crossSiteMarker(request);
        if (marker == null) {
            chain.doFilter(request, response);
            return;
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, "A browser marked this "
                + "request cross-site (" + marker + "). State-changing requests are accepted only from this "
                + "application's own pages and from clients that are not browsers.");
        problem.setType(CROSS_SITE_REQUEST_REFUSED);
        problem.setTitle("Cross-site request refused");
        problem.setInstance(ProblemDetailWriter.instanceOf(request));
        problems.write(response, problem);
    }

    /** The header by which a browser marked {@code request} cross-site, as {@code "Name: value"}; {@code null} if it did not. */
    static @Nullable String crossSiteMarker(HttpServletRequest request) {
        if (SAFE_METHODS.contains(request.getMethod())) {
            return null;
        }
        String site = request.getHeader("Sec-Fetch-Site");
        if (site != null) {
            return site.equals("same-origin") || site.equals("none") ? null : "Sec-Fetch-Site: " + echo(site);
        }
        String origin = request.getHeader("Origin");
        if (origin == null || isOwn(origin, request.getHeader("Host"))) {
            return null;
        }
        return "Origin: " + echo(origin);
    }

    /** Whether {@code origin} (a serialized origin: scheme, host, optional port, no path) names {@code host}. */
    private static boolean isOwn(String origin, @Nullable String host) {
        if (host == null) {
            return false;
        }
        try {
            URI uri = new URI(origin);
            String authority = uri.getRawAuthority();
            return ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                    && authority != null && authority.equalsIgnoreCase(host)
                    && (uri.getRawPath() == null || uri.getRawPath().isEmpty())
                    && uri.getRawQuery() == null && uri.getRawFragment() == null;
        } catch (URISyntaxException malformed) {
            return false;
        }
    }

    private static String echo(String value) {
        return value.length() <= ECHO_LIMIT ? value : value.substring(0, ECHO_LIMIT) + "…";
    }
}

/**
 * Spring Security support for the thredo endpoint: {@link dev.thredo.spring.security.CrossSiteRequestFilter},
 * which refuses the state-changing requests a browser marks cross-site (so that scripts may cancel
 * with credentials alone while browsers stay protected), and an auto-configuration that makes a
 * CSRF denial of the endpoint's cancel a 403 problem that says so.
 */
@NullMarked
package dev.thredo.spring.security;

import org.jspecify.annotations.NullMarked;

import HelmFormats
import Testing

/// Chart READMEs as HTML: the common Markdown of real charts renders, and nothing in the
/// source becomes markup of its own — no tag, attribute, script URL — whatever it holds.
@Suite("Markdown for chart READMEs")
struct MarkdownTests {
    @Test("headings, paragraphs, lists, code, quotes, tables, rules, emphasis and links")
    func blocks() {
        let source = """
            # nginx

            Chart for **NGINX** with *TLS* and `values.yaml`; see [the docs](https://example.com/docs "Docs").

            ## Install
            ```console
            $ helm install my-release oci://registry/nginx
            ```

            - one
            - two with `code`
            1. first
            2) second

            > quoted **text**

            | Name | Default |
            |------|:-------:|
            | `replicaCount` | `1` |

            ---
            Setext
            ------
                indented code
            snake_case_name and __bold__ and _em_
            """
        let html = Markdown.html(source)
        #expect(html.contains("<h2>nginx</h2>"))
        #expect(
            html.contains(
                "<p>Chart for <strong>NGINX</strong> with <em>TLS</em> and <code>values.yaml</code>; see <a href=\"https://example.com/docs\" rel=\"nofollow noopener noreferrer\">the docs</a>.</p>"
            )
        )
        #expect(html.contains("<h3>Install</h3>"))
        #expect(html.contains("<pre><code>$ helm install my-release oci://registry/nginx</code></pre>"))
        #expect(html.contains("<ul>\n<li>one</li>\n<li>two with <code>code</code></li>\n</ul>"))
        #expect(html.contains("<ol>\n<li>first</li>\n<li>second</li>\n</ol>"))
        #expect(html.contains("<blockquote>\n<p>quoted <strong>text</strong></p>\n</blockquote>"))
        #expect(html.contains("<th scope=\"col\">Name</th><th scope=\"col\">Default</th>"))
        #expect(html.contains("<td><code>replicaCount</code></td><td><code>1</code></td>"))
        #expect(html.contains("<hr>") && html.contains("<h3>Setext</h3>"))
        #expect(html.contains("<pre><code>indented code</code></pre>"))
        #expect(html.contains("snake_case_name and <strong>bold</strong> and <em>em</em>"))
    }

    @Test("raw HTML, script URLs, images and attribute breaking stay text")
    func hostile() {
        let cases: [(String, String)] = [
            ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
            ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
            ("[click](javascript:alert(1))", "<p>click)</p>"),
            ("[click](JAVASCRIPT:alert(1))", "<p>click)</p>"),
            ("[x](data:text/html;base64,AAAA)", "<p>x</p>"),
            ("![logo](https://example.com/logo.png)", "<a href=\"https://example.com/logo.png\" rel=\"nofollow noopener noreferrer\">logo</a>"),
            ("[a](https://e.com/\"onmouseover=\"alert(1))", "href=\"https://e.com/&quot;onmouseover=&quot;alert(1\""),
            ("<javascript:alert(1)>", "&lt;javascript:alert(1)&gt;"),
            ("`<b>`", "<code>&lt;b&gt;</code>"),
            ("```\n</code></pre><script>x</script>\n```", "<pre><code>&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;x&lt;/script&gt;</code></pre>"),
            ("# <i>title</i>", "<h2>&lt;i&gt;title&lt;/i&gt;</h2>"),
            ("| <b> |\n|---|\n| x |", "<th scope=\"col\">&lt;b&gt;</th>"),
            ("[a](https://e.com/\"\u{301} onmouseover=alert(1))", "href=\"https://e.com/&quot;\u{301}\""),
            ("<\u{301}script>", "&lt;\u{301}script&gt;"),
        ]
        for (source, expected) in cases {
            let html = Markdown.html(source)
            #expect(html.contains(expected), "\(source) → \(html)")
            #expect(!html.contains("<script") && !html.contains("<img") && !html.contains("javascript:alert(1)\""), "\(source) → \(html)")
        }
    }

    @Test("pathological input renders without exhausting the stack")
    func pathological() {
        for unit in ["[", "`", "<", "*", "_", "](", "**a ", "> ", "- ", "|", "\\"] {
            let source = String(repeating: unit, count: 50_000)
            // No stack overflow, no lost text (the markdown fuzz target covers the rest).
            let html = Markdown.html(source)
            #expect(!html.isEmpty, "\(unit)")
        }
        #expect(Markdown.html("a\u{0}b").contains("a\u{FFFD}b"))
    }
}

using System.Xml.Linq;
using ClusterManager.Cli.Commands;

namespace ClusterManager.Cli.Editing;

/// <summary>
/// pcs's rule expressions (<c>pcs constraint location RSC rule ... EXPRESSION</c>) turned into a CIB
/// <c>&lt;rule&gt;</c>:
/// <c>defined|not_defined ATTR</c>, <c>ATTR lt|gt|lte|gte|eq|ne [string|integer|number|version] VALUE</c>,
/// <c>date gt|lt DATE</c>, <c>date in_range DATE to DATE</c>, <c>date in_range DATE to duration NAME=VALUE...</c>,
/// <c>date-spec NAME=VALUE...</c>, joined by <c>and</c> / <c>or</c> (equal precedence, left to right, as pcs) and
/// grouped with parentheses. Ids follow pcs: RULE-expr, RULE-expr-1, ..., nested rules RULE-rule, RULE-rule-1, ...
/// </summary>
internal static class RuleXml
{
    private static readonly HashSet<string> Comparisons = ["lt", "gt", "lte", "gte", "eq", "ne"];
    private static readonly HashSet<string> Types = ["string", "integer", "number", "version"];
    private static readonly HashSet<string> DateSpecFields = ["hours", "monthdays", "weekdays", "yeardays", "months", "weeks", "years", "weekyears", "moon", "minutes", "seconds"];
    private static readonly HashSet<string> DurationFields = ["years", "months", "weeks", "days", "hours", "minutes", "seconds"];

    /// <summary>The expression tree before ids are given.</summary>
    private abstract record Node;

    private sealed record Leaf(string Kind, Dictionary<string, string> Attributes, string? Child, Dictionary<string, string>? ChildAttributes) : Node;

    /// <summary>A chain of one operator; <paramref name="Closed"/> when written in parentheses (it stays nested, as pcs keeps it).</summary>
    private sealed record Group(string Op, List<Node> Items, bool Closed = false) : Node;

    /// <summary>
    /// Builds <c>&lt;rule id boolean-op score|score-attribute role&gt;</c> from <paramref name="tokens"/> (the
    /// expression's words as the shell split them; parentheses may be separate words or stuck to a word).
    /// </summary>
    /// <exception cref="UsageException">The expression does not parse; the message names the word.</exception>
    public static XElement Rule(string ruleId, IReadOnlyList<string> tokens, string? score, string? scoreAttribute, string? role)
    {
        var words = Split(tokens);
        if (words.Count == 0)
        {
            throw new UsageException("the rule has no expression (e.g. 'defined pingd', 'pingd lt 1', 'date gt 2030-01-01')");
        }

        var at = 0;
        var tree = ParseOr(words, ref at);
        if (at < words.Count)
        {
            throw new UsageException($"unexpected '{words[at]}' in the rule expression");
        }

        var rule = new XElement("rule", new XAttribute("id", ruleId));
        var group = tree as Group ?? new Group("and", [tree]);
        if (group.Items.Count > 1)
        {
            rule.Add(new XAttribute("boolean-op", group.Op));
        }

        if (scoreAttribute is not null)
        {
            rule.Add(new XAttribute("score-attribute", scoreAttribute));
        }
        else
        {
            rule.Add(new XAttribute("score", score ?? "INFINITY"));
        }

        if (role is not null)
        {
            rule.Add(new XAttribute("role", role));
        }

        var ids = new Ids(ruleId);
        AddItems(rule, group.Items, ruleId, ids);
        return rule;
    }

    private sealed class Ids(string ruleId)
    {
        private readonly Dictionary<string, int> _used = new(StringComparer.Ordinal) { [ruleId] = 1 };

        public string Next(string stem)
        {
            var n = _used.GetValueOrDefault(stem);
            _used[stem] = n + 1;
            return n == 0 ? stem : $"{stem}-{n}";
        }
    }

    private static void AddItems(XElement into, List<Node> items, string ruleId, Ids ids)
    {
        foreach (var item in items)
        {
            switch (item)
            {
                case Group g:
                    var nestedId = ids.Next(ruleId + "-rule");
                    var nested = new XElement("rule", new XAttribute("id", nestedId), new XAttribute("boolean-op", g.Op));
                    AddItems(nested, g.Items, ruleId, ids);
                    into.Add(nested);
                    break;
                case Leaf leaf:
                    var id = ids.Next(ruleId + "-expr");
                    var e = new XElement(leaf.Kind, new XAttribute("id", id));
                    foreach (var (name, value) in leaf.Attributes)
                    {
                        e.Add(new XAttribute(name, value));
                    }

                    if (leaf.Child is { } child)
                    {
                        var c = new XElement(child, new XAttribute("id", $"{id}-{(child == "date_spec" ? "datespec" : "duration")}"));
                        foreach (var (name, value) in leaf.ChildAttributes!)
                        {
                            c.Add(new XAttribute(name, value));
                        }

                        e.Add(c);
                    }

                    into.Add(e);
                    break;
            }
        }
    }

    // Words with parentheses split off: "(pingd" -> "(", "pingd".
    private static List<string> Split(IReadOnlyList<string> tokens)
    {
        var words = new List<string>();
        foreach (var token in tokens)
        {
            var t = token;
            while (t.StartsWith('('))
            {
                words.Add("(");
                t = t[1..];
            }

            var closing = 0;
            while (t.EndsWith(')'))
            {
                closing++;
                t = t[..^1];
            }

            if (t.Length > 0)
            {
                words.Add(t);
            }

            words.AddRange(Enumerable.Repeat(")", closing));
        }

        return words;
    }

    // and/or bind equally, left to right; a chain of the same operator is one group.
    private static Node ParseOr(List<string> words, ref int at)
    {
        var left = ParseTerm(words, ref at);
        while (at < words.Count && words[at] is "and" or "or")
        {
            var op = words[at++];
            var right = ParseTerm(words, ref at);
            left = left is Group { Closed: false } g && g.Op == op
                ? g with { Items = [.. g.Items, right] }
                : new Group(op, [left, right]);
        }

        return left;
    }

    private static Node ParseTerm(List<string> words, ref int at)
    {
        if (at >= words.Count)
        {
            throw new UsageException("the rule expression ends too early");
        }

        var word = words[at];
        if (word == "(")
        {
            at++;
            var inner = ParseOr(words, ref at);
            if (at >= words.Count || words[at] != ")")
            {
                throw new UsageException("missing ')' in the rule expression");
            }

            at++;
            return inner is Group g ? g with { Closed = true } : inner;
        }

        if (word is "defined" or "not_defined")
        {
            at++;
            var attribute = Word(words, ref at, $"'{word}' needs a node attribute name");
            return new Leaf("expression", new() { ["attribute"] = attribute, ["operation"] = word }, null, null);
        }

        if (word == "date-spec")
        {
            at++;
            return new Leaf("date_expression", new() { ["operation"] = "date_spec" }, "date_spec", Fields(words, ref at, DateSpecFields, "date-spec"));
        }

        if (word == "date" && at + 1 < words.Count && words[at + 1] is "gt" or "lt" or "in_range")
        {
            at++;
            var op = words[at++];
            var first = Word(words, ref at, $"'date {op}' needs a date");
            if (op == "gt")
            {
                return new Leaf("date_expression", new() { ["operation"] = "gt", ["start"] = first }, null, null);
            }

            if (op == "lt")
            {
                return new Leaf("date_expression", new() { ["operation"] = "lt", ["end"] = first }, null, null);
            }

            if (Word(words, ref at, "'date in_range DATE' needs 'to DATE' or 'to duration ...'") != "to")
            {
                throw new UsageException("'date in_range DATE' needs 'to DATE' or 'to duration ...'");
            }

            if (at < words.Count && words[at] == "duration")
            {
                at++;
                return new Leaf("date_expression", new() { ["operation"] = "in_range", ["start"] = first }, "duration", Fields(words, ref at, DurationFields, "duration"));
            }

            var end = Word(words, ref at, "'date in_range DATE to' needs a date");
            return new Leaf("date_expression", new() { ["operation"] = "in_range", ["start"] = first, ["end"] = end }, null, null);
        }

        // ATTR OP [TYPE] VALUE
        var name = words[at++];
        if (name is "and" or "or" or ")")
        {
            throw new UsageException($"unexpected '{name}' in the rule expression");
        }

        var operation = Word(words, ref at, $"'{name}' needs a comparison (lt, gt, lte, gte, eq, ne) and a value");
        if (!Comparisons.Contains(operation))
        {
            throw new UsageException($"'{operation}' is not a comparison (lt, gt, lte, gte, eq, ne) after '{name}'");
        }

        string? type = null;
        if (at + 1 < words.Count && Types.Contains(words[at]) && words[at + 1] is not ("and" or "or" or ")"))
        {
            type = words[at++];
        }

        var value = Word(words, ref at, $"'{name} {operation}' needs a value");
        var attributes = new Dictionary<string, string> { ["attribute"] = name, ["operation"] = operation, ["value"] = value };
        if (type is not null)
        {
            attributes["type"] = type;
        }

        return new Leaf("expression", attributes, null, null);
    }

    private static string Word(List<string> words, ref int at, string missing)
    {
        if (at >= words.Count || words[at] is "and" or "or" or "(" or ")")
        {
            throw new UsageException(missing);
        }

        return words[at++];
    }

    private static Dictionary<string, string> Fields(List<string> words, ref int at, HashSet<string> allowed, string what)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        while (at < words.Count && words[at].Contains('=', StringComparison.Ordinal))
        {
            var word = words[at++];
            var equals = word.IndexOf('=', StringComparison.Ordinal);
            var (name, value) = (word[..equals], word[(equals + 1)..]);
            if (!allowed.Contains(name) || value.Length == 0)
            {
                throw new UsageException($"'{word}' is not a {what} field (allowed: {string.Join(", ", allowed.Order(StringComparer.Ordinal))}, each NAME=VALUE)");
            }

            fields[name] = value;
        }

        if (fields.Count == 0)
        {
            throw new UsageException($"'{what}' needs at least one NAME=VALUE field");
        }

        return fields;
    }
}

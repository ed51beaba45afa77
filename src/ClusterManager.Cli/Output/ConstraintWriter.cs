using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace ClusterManager.Cli.Output;

/// <summary>
/// Writes constraints from CIB XML in pcs 0.11.5's <c>constraint config</c> layout ("Location Constraints:",
/// "Colocation Constraints:", "Order Constraints:", "Ticket Constraints:"; ids with --full) and as JSON shaped
/// after pcs's <c>--output-format json</c> (location, colocation, order, ticket and their set variants).
/// </summary>
internal static class ConstraintWriter
{
    private static readonly string[] OrderKeys = ["id", "first", "then", "first-action", "then-action"];
    private static readonly string[] ColocationKeys = ["id", "rsc", "with-rsc", "rsc-role", "with-rsc-role"];

    /// <summary>Writes the sections that have constraints; <paramref name="kinds"/> limits them (location, colocation, order, ticket).</summary>
    public static void WriteText(TextWriter writer, XElement constraints, bool full, IReadOnlyCollection<string>? kinds = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(constraints);
        Section(writer, constraints, "rsc_location", "Location Constraints:", full, kinds, "location");
        Section(writer, constraints, "rsc_colocation", "Colocation Constraints:", full, kinds, "colocation");
        Section(writer, constraints, "rsc_order", "Order Constraints:", full, kinds, "order");
        Section(writer, constraints, "rsc_ticket", "Ticket Constraints:", full, kinds, "ticket");
    }

    private static void Section(TextWriter writer, XElement constraints, string element, string title, bool full, IReadOnlyCollection<string>? kinds, string kind)
    {
        if (kinds is not null && !kinds.Contains(kind))
        {
            return;
        }

        var items = constraints.Elements(element).ToList();
        if (items.Count == 0)
        {
            return;
        }

        writer.Write(title + "\n");
        foreach (var c in items)
        {
            var id = full ? $" (id: {(string?)c.Attribute("id")})" : "";
            if (c.Elements("resource_set").Any())
            {
                writer.Write($"  Set Constraint{id}\n");
                foreach (var set in c.Elements("resource_set"))
                {
                    var resources = string.Join(", ", set.Elements("resource_ref").Select(r => $"'{(string?)r.Attribute("id")}'"));
                    writer.Write($"    Resource Set{(full ? $" (id: {(string?)set.Attribute("id")})" : "")}: resources {resources}\n");
                    foreach (var a in set.Attributes().Where(a => a.Name.LocalName != "id"))
                    {
                        writer.Write($"      {a.Name.LocalName}={a.Value}\n");
                    }
                }

                foreach (var a in c.Attributes().Where(a => a.Name.LocalName != "id"))
                {
                    writer.Write($"    {a.Name.LocalName}={a.Value}\n");
                }

                continue;
            }

            switch (element)
            {
                case "rsc_location":
                    WriteLocation(writer, c, id, full);
                    break;
                case "rsc_colocation":
                    writer.Write($"  {Resource(c, "rsc", "rsc-role")} with {Resource(c, "with-rsc", "with-rsc-role")}{id}\n");
                    foreach (var a in c.Attributes().Where(a => !ColocationKeys.Contains(a.Name.LocalName)))
                    {
                        writer.Write($"    {a.Name.LocalName}={a.Value}\n");
                    }

                    break;
                case "rsc_order":
                    writer.Write($"  {(string?)c.Attribute("first-action") ?? "start"} {Resource(c, "first", null)} then {(string?)c.Attribute("then-action") ?? (string?)c.Attribute("first-action") ?? "start"} {Resource(c, "then", null)}{id}\n");
                    // kind=Mandatory is the default (clusterd writes it out; pcs does not).
                    foreach (var a in c.Attributes().Where(a => !OrderKeys.Contains(a.Name.LocalName) && !(a.Name.LocalName == "kind" && a.Value == "Mandatory")))
                    {
                        writer.Write($"    {a.Name.LocalName}={a.Value}\n");
                    }

                    break;
                default:
                    writer.Write($"  ticket '{(string?)c.Attribute("ticket")}' for {Resource(c, "rsc", "rsc-role")}{id}\n");
                    foreach (var a in c.Attributes().Where(a => a.Name.LocalName is not ("id" or "ticket" or "rsc" or "rsc-role")))
                    {
                        writer.Write($"    {a.Name.LocalName}={a.Value}\n");
                    }

                    break;
            }
        }
    }

    private static void WriteLocation(TextWriter writer, XElement c, string id, bool full)
    {
        var resource = (string?)c.Attribute("rsc-pattern") is { } pattern
            ? $"resource pattern '{pattern}'{Role(c, "role")}"
            : Resource(c, "rsc", "role");
        if ((string?)c.Attribute("node") is { } node)
        {
            var score = (string?)c.Attribute("score") ?? "INFINITY";
            var verb = score.StartsWith('-') ? "avoids" : "prefers";
            writer.Write($"  {resource} {verb} node '{node}' with score {score}{id}\n");
        }
        else
        {
            writer.Write($"  {resource}{id}\n");
        }

        if ((string?)c.Attribute("resource-discovery") is { } discovery)
        {
            writer.Write($"    resource-discovery={discovery}\n");
        }

        var rules = c.Elements("rule").ToList();
        if (rules.Count > 0)
        {
            writer.Write("    Rules:\n");
            foreach (var rule in rules)
            {
                WriteRule(writer, rule, 3, full);
            }
        }
    }

    private static void WriteRule(TextWriter writer, XElement rule, int depth, bool full)
    {
        var pad = new string(' ', depth * 2);
        var attrs = string.Join(' ', rule.Attributes().Where(a => a.Name.LocalName != "id").Select(a => $"{a.Name.LocalName}={a.Value}"));
        writer.Write($"{pad}Rule:{(attrs.Length > 0 ? " " + attrs : "")}{(full ? $" (id: {(string?)rule.Attribute("id")})" : "")}\n");
        foreach (var e in rule.Elements())
        {
            if (e.Name.LocalName == "rule")
            {
                WriteRule(writer, e, depth + 1, full);
                continue;
            }

            var text = e.Name.LocalName switch
            {
                "expression" => (string?)e.Attribute("value") is { } value
                    ? $"{(string?)e.Attribute("attribute")} {(string?)e.Attribute("operation")} {((string?)e.Attribute("type") is { } t ? t + " " : "")}{value}"
                    : $"{(string?)e.Attribute("operation")} {(string?)e.Attribute("attribute")}",
                "date_expression" when (string?)e.Attribute("operation") == "date_spec" => "date-spec " + Fields(e.Element("date_spec")),
                "date_expression" => $"date {(string?)e.Attribute("operation")} " + string.Join(' ', e.Attributes()
                    .Where(a => a.Name.LocalName is "start" or "end").Select(a => $"{a.Name.LocalName}={a.Value}"))
                    + (e.Element("duration") is { } duration ? " duration " + Fields(duration) : ""),
                _ => e.Name.LocalName,
            };
            writer.Write($"{pad}  Expression: {text}{(full ? $" (id: {(string?)e.Attribute("id")})" : "")}\n");
        }
    }

    // A date_spec's or duration's fields as NAME=VALUE (its id aside).
    private static string Fields(XElement? e) =>
        e is null ? "" : string.Join(' ', e.Attributes().Where(a => a.Name.LocalName != "id").Select(a => $"{a.Name.LocalName}={a.Value}"));

    private static string Resource(XElement c, string attribute, string? roleAttribute) =>
        $"resource '{(string?)c.Attribute(attribute)}'{(roleAttribute is null ? "" : Role(c, roleAttribute))}";

    private static string Role(XElement c, string roleAttribute) =>
        (string?)c.Attribute(roleAttribute) is { } role ? $" (role: {role})" : "";

    /// <summary>The constraints as JSON.</summary>
    public static JsonObject Json(XElement constraints)
    {
        ArgumentNullException.ThrowIfNull(constraints);
        JsonArray Plain(string element, Func<XElement, JsonObject> map) =>
            new([.. constraints.Elements(element).Where(c => !c.Elements("resource_set").Any()).Select(c => (JsonNode)map(c))]);
        JsonArray Sets(string element) =>
            new([.. constraints.Elements(element).Where(c => c.Elements("resource_set").Any()).Select(c => (JsonNode)new JsonObject
            {
                ["resource_sets"] = new JsonArray([.. c.Elements("resource_set").Select(s => (JsonNode)new JsonObject
                {
                    ["set_id"] = (string?)s.Attribute("id"),
                    ["resources_ids"] = new JsonArray([.. s.Elements("resource_ref").Select(r => JsonValue.Create((string?)r.Attribute("id")))]),
                    ["options"] = Attributes(s, "id"),
                })]),
                ["attributes"] = Attributes(c, "id", rename: ("id", "constraint_id")),
            })]);

        return new JsonObject
        {
            ["location"] = Plain("rsc_location", c => new JsonObject
            {
                ["resource_id"] = (string?)c.Attribute("rsc"),
                ["resource_pattern"] = (string?)c.Attribute("rsc-pattern"),
                ["role"] = (string?)c.Attribute("role"),
                ["attributes"] = new JsonObject
                {
                    ["constraint_id"] = (string?)c.Attribute("id"),
                    ["score"] = (string?)c.Attribute("score"),
                    ["node"] = (string?)c.Attribute("node"),
                    ["resource_discovery"] = (string?)c.Attribute("resource-discovery"),
                    ["rules"] = new JsonArray([.. c.Elements("rule").Select(r => JsonValue.Create(r.ToString(SaveOptions.DisableFormatting)))]),
                },
            }),
            ["location_set"] = Sets("rsc_location"),
            ["colocation"] = Plain("rsc_colocation", c => new JsonObject
            {
                ["resource_id"] = (string?)c.Attribute("rsc"),
                ["with_resource_id"] = (string?)c.Attribute("with-rsc"),
                ["resource_role"] = (string?)c.Attribute("rsc-role"),
                ["with_resource_role"] = (string?)c.Attribute("with-rsc-role"),
                ["attributes"] = new JsonObject
                {
                    ["constraint_id"] = (string?)c.Attribute("id"),
                    ["score"] = (string?)c.Attribute("score"),
                    ["influence"] = (string?)c.Attribute("influence"),
                    ["node_attribute"] = (string?)c.Attribute("node-attribute"),
                },
            }),
            ["colocation_set"] = Sets("rsc_colocation"),
            ["order"] = Plain("rsc_order", c => new JsonObject
            {
                ["first_resource_id"] = (string?)c.Attribute("first"),
                ["then_resource_id"] = (string?)c.Attribute("then"),
                ["first_action"] = (string?)c.Attribute("first-action"),
                ["then_action"] = (string?)c.Attribute("then-action"),
                ["attributes"] = new JsonObject
                {
                    ["constraint_id"] = (string?)c.Attribute("id"),
                    ["symmetrical"] = (string?)c.Attribute("symmetrical"),
                    ["require_all"] = (string?)c.Attribute("require-all"),
                    ["score"] = (string?)c.Attribute("score"),
                    ["kind"] = (string?)c.Attribute("kind"),
                },
            }),
            ["order_set"] = Sets("rsc_order"),
            ["ticket"] = Plain("rsc_ticket", c => new JsonObject
            {
                ["resource_id"] = (string?)c.Attribute("rsc"),
                ["role"] = (string?)c.Attribute("rsc-role"),
                ["attributes"] = new JsonObject
                {
                    ["constraint_id"] = (string?)c.Attribute("id"),
                    ["ticket"] = (string?)c.Attribute("ticket"),
                    ["loss_policy"] = (string?)c.Attribute("loss-policy"),
                },
            }),
            ["ticket_set"] = Sets("rsc_ticket"),
        };
    }

    private static JsonObject Attributes(XElement e, string skip, (string From, string To)? rename = null)
    {
        var json = new JsonObject();
        foreach (var a in e.Attributes())
        {
            if (rename is { } r && a.Name.LocalName == r.From)
            {
                json[r.To] = a.Value;
            }
            else if (a.Name.LocalName != skip)
            {
                json[a.Name.LocalName] = a.Value;
            }
        }

        return json;
    }
}

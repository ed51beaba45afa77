using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace ClusterManager.Cli.Output;

/// <summary>
/// Writes resource configuration from CIB XML in pcs 0.11's <c>resource config</c> / <c>stonith config</c> layout
/// (<c>Resource: ID (class=.. provider=.. type=..)</c>, sets with their ids, one option per line), and as JSON
/// shaped after pcs's <c>--output-format json</c> (primitives, groups, clones).
/// </summary>
internal static class ConfigWriter
{
    /// <summary>Writes each of <paramref name="resources"/> (top-level or nested elements).</summary>
    public static void WriteText(TextWriter writer, IEnumerable<XElement> resources)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(resources);
        foreach (var resource in resources)
        {
            WriteResource(writer, resource, 0);
        }
    }

    /// <summary>Writes the name/value sets of <paramref name="owner"/> named <paramref name="setName"/> with a title.</summary>
    public static void WriteSets(TextWriter writer, XElement owner, string setName, string title, int depth)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(owner);
        foreach (var set in owner.Elements(setName))
        {
            var id = (string?)set.Attribute("id") ?? (string?)set.Attribute("id-ref");
            Line(writer, depth, $"{title}: {id}");
            foreach (var pair in set.Elements("nvpair"))
            {
                Line(writer, depth + 1, $"{(string?)pair.Attribute("name")}={(string?)pair.Attribute("value")}");
            }
        }
    }

    private static void WriteResource(TextWriter writer, XElement resource, int depth)
    {
        var id = (string?)resource.Attribute("id");
        switch (resource.Name.LocalName)
        {
            case "primitive":
                var provider = (string?)resource.Attribute("provider") is { } p ? $" provider={p}" : "";
                Line(writer, depth, $"Resource: {id} (class={(string?)resource.Attribute("class")}{provider} type={(string?)resource.Attribute("type")})");
                if ((string?)resource.Attribute("description") is { } description)
                {
                    Line(writer, depth + 1, $"Description: {description}");
                }

                WriteSets(writer, resource, "instance_attributes", "Attributes", depth + 1);
                WriteSets(writer, resource, "meta_attributes", "Meta Attributes", depth + 1);
                WriteSets(writer, resource, "utilization", "Utilization", depth + 1);
                if (resource.Element("operations") is { } operations && operations.Elements("op").Any())
                {
                    Line(writer, depth + 1, "Operations:");
                    foreach (var op in operations.Elements("op"))
                    {
                        Line(writer, depth + 2, $"{(string?)op.Attribute("name")}: {(string?)op.Attribute("id")}");
                        foreach (var (name, value) in OperationOptions(op))
                        {
                            Line(writer, depth + 3, $"{name}={value}");
                        }
                    }
                }

                break;
            case "group":
                Line(writer, depth, $"Group: {id}");
                WriteSets(writer, resource, "meta_attributes", "Meta Attributes", depth + 1);
                foreach (var member in resource.Elements("primitive"))
                {
                    WriteResource(writer, member, depth + 1);
                }

                break;
            case "clone" or "master":
                Line(writer, depth, $"Clone: {id}");
                WriteSets(writer, resource, "meta_attributes", "Meta Attributes", depth + 1);
                foreach (var child in resource.Elements().Where(e => e.Name.LocalName is "primitive" or "group"))
                {
                    WriteResource(writer, child, depth + 1);
                }

                break;
            default:
                Line(writer, depth, $"{resource.Name.LocalName}: {id}");
                break;
        }
    }

    /// <summary>An operation's options in pcs's order: interval, timeout, the other attributes, OCF_CHECK_LEVEL.</summary>
    public static IEnumerable<(string Name, string Value)> OperationOptions(XElement op)
    {
        ArgumentNullException.ThrowIfNull(op);
        var attributes = op.Attributes().Where(a => a.Name.LocalName is not ("id" or "name")).ToList();
        foreach (var first in new[] { "interval", "timeout" })
        {
            if (attributes.FirstOrDefault(a => a.Name.LocalName == first) is { } a)
            {
                yield return (first, a.Value);
            }
        }

        foreach (var a in attributes.Where(a => a.Name.LocalName is not ("interval" or "timeout")))
        {
            yield return (a.Name.LocalName, a.Value);
        }

        foreach (var pair in op.Elements("instance_attributes").Elements("nvpair"))
        {
            yield return ((string?)pair.Attribute("name") ?? "", (string?)pair.Attribute("value") ?? "");
        }
    }

    /// <summary>The resources as JSON: <c>{"primitives": [...], "groups": [...], "clones": [...]}</c>.</summary>
    public static JsonObject Json(IEnumerable<XElement> resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var primitives = new JsonArray();
        var groups = new JsonArray();
        var clones = new JsonArray();
        foreach (var element in resources.SelectMany(r => r.DescendantsAndSelf()).Distinct())
        {
            var id = (string?)element.Attribute("id");
            switch (element.Name.LocalName)
            {
                case "primitive":
                    primitives.Add(new JsonObject
                    {
                        ["id"] = id,
                        ["agent_name"] = new JsonObject
                        {
                            ["standard"] = (string?)element.Attribute("class"),
                            ["provider"] = (string?)element.Attribute("provider"),
                            ["type"] = (string?)element.Attribute("type"),
                        },
                        ["description"] = (string?)element.Attribute("description"),
                        ["operations"] = new JsonArray([.. element.Elements("operations").Elements("op").Select(OperationJson)]),
                        ["instance_attributes"] = SetsJson(element, "instance_attributes"),
                        ["meta_attributes"] = SetsJson(element, "meta_attributes"),
                        ["utilization"] = SetsJson(element, "utilization"),
                    });
                    break;
                case "group":
                    groups.Add(new JsonObject
                    {
                        ["id"] = id,
                        ["member_ids"] = new JsonArray([.. element.Elements("primitive").Select(p => JsonValue.Create((string?)p.Attribute("id")))]),
                        ["meta_attributes"] = SetsJson(element, "meta_attributes"),
                    });
                    break;
                case "clone" or "master":
                    clones.Add(new JsonObject
                    {
                        ["id"] = id,
                        ["member_id"] = (string?)element.Elements().FirstOrDefault(e => e.Name.LocalName is "primitive" or "group")?.Attribute("id"),
                        ["meta_attributes"] = SetsJson(element, "meta_attributes"),
                    });
                    break;
            }
        }

        return new JsonObject { ["primitives"] = primitives, ["groups"] = groups, ["clones"] = clones };
    }

    /// <summary>Name/value sets as JSON: <c>[{"id": ..., "nvpairs": [{"id","name","value"}]}]</c>.</summary>
    public static JsonArray SetsJson(XElement owner, string setName)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return new JsonArray([.. owner.Elements(setName).Select(set => (JsonNode)new JsonObject
        {
            ["id"] = (string?)set.Attribute("id"),
            ["nvpairs"] = new JsonArray([.. set.Elements("nvpair").Select(p => (JsonNode)new JsonObject
            {
                ["id"] = (string?)p.Attribute("id"),
                ["name"] = (string?)p.Attribute("name"),
                ["value"] = (string?)p.Attribute("value"),
            })]),
        })]);
    }

    private static JsonObject OperationJson(XElement op)
    {
        var json = new JsonObject { ["id"] = (string?)op.Attribute("id"), ["name"] = (string?)op.Attribute("name") };
        foreach (var (name, value) in OperationOptions(op))
        {
            json[name] = value;
        }

        return json;
    }

    private static void Line(TextWriter writer, int depth, string text)
    {
        writer.Write(new string(' ', depth * 2));
        writer.Write(text);
        writer.Write('\n');
    }
}

using System.Text;
using System.Text.Json;

namespace ClusterManager.Cli.Commands.Agents;

/// <summary>
/// Prints an <see cref="AgentDescription"/> the way pcs 0.11 prints <c>resource describe</c> / <c>stonith describe</c>
/// (<c>pcs/cli/resource/output.py: resource_agent_metadata_to_text</c>, not wrapped when the output is not a
/// terminal), with one addition: a parameter's default value appears in its title as <c>(default: X)</c>.
/// The JSON form carries every parameter, advanced and deprecated ones included, with pcs's field names.
/// </summary>
internal static class AgentDescriptionWriter
{
    /// <summary>Writes the text form; <paramref name="full"/> includes advanced and deprecated parameters.</summary>
    public static void WriteText(TextWriter writer, AgentDescription agent, bool full)
    {
        var shownName = agent.IsStonith ? agent.Type : agent.FullName;
        writer.Write(agent.ShortDescription is { Length: > 0 } shortDesc ? $"{shownName} - {OneLine(shortDesc)}\n" : $"{shownName}\n");
        if (agent.LongDescription is { Length: > 0 } longDesc)
        {
            writer.Write($"\n{OneLine(longDesc)}\n");
        }

        var parameters = agent.Parameters.Where(p => full || !(p.Advanced || p.Deprecated)).ToList();
        if (parameters.Count > 0)
        {
            writer.Write(agent.IsStonith ? "\nStonith options:\n" : "\nResource options:\n");
            foreach (var p in parameters)
            {
                writer.Write($"  {Title(p)}: {Description(p)}\n");
            }
        }

        if (agent.DefaultOperations.Length > 0)
        {
            writer.Write("\nDefault operations:\n");
            foreach (var op in agent.DefaultOperations)
            {
                writer.Write($"  {op.Name}:\n    interval={op.Interval}\n");
                if (op.Timeout is { } timeout)
                {
                    writer.Write($"    timeout={timeout}\n");
                }

                if (op.Role is { } role)
                {
                    writer.Write($"    role={role}\n");
                }

                if (op.Depth is { } depth && depth != "0")
                {
                    writer.Write($"    OCF_CHECK_LEVEL={depth}\n");
                }
            }
        }
    }

    /// <summary>Writes the JSON form (indented, one object).</summary>
    public static void WriteJson(TextWriter writer, AgentDescription agent)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("name", agent.FullName);
            json.WriteString("standard", agent.Standard);
            json.WriteString("provider", agent.Provider);
            json.WriteString("type", agent.Type);
            json.WriteString("shortdesc", agent.ShortDescription);
            json.WriteString("longdesc", agent.LongDescription);
            json.WriteStartArray("parameters");
            foreach (var p in agent.Parameters)
            {
                json.WriteStartObject();
                json.WriteString("name", p.Name);
                json.WriteString("shortdesc", p.ShortDescription);
                json.WriteString("longdesc", p.LongDescription);
                json.WriteString("type", p.Type);
                json.WriteString("default", p.Default);
                json.WriteBoolean("required", p.Required);
                json.WriteBoolean("unique", p.Unique);
                json.WriteBoolean("advanced", p.Advanced);
                json.WriteBoolean("deprecated", p.Deprecated);
                json.WriteStartArray("deprecated_by");
                foreach (var by in p.DeprecatedBy)
                {
                    json.WriteStringValue(by);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("default_actions");
            foreach (var op in agent.DefaultOperations)
            {
                json.WriteStartObject();
                json.WriteString("name", op.Name);
                json.WriteString("interval", op.Interval);
                json.WriteString("timeout", op.Timeout);
                json.WriteString("role", op.Role);
                json.WriteString("depth", op.Depth);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        writer.Write(Encoding.UTF8.GetString(buffer.ToArray()));
        writer.Write('\n');
    }

    private static string Title(ParameterDescription p)
    {
        var title = new StringBuilder(p.Name);
        if (!p.DeprecatedBy.IsEmpty)
        {
            title.Append($" (deprecated by {string.Join(", ", p.DeprecatedBy)})");
        }
        else if (p.Deprecated)
        {
            title.Append(" (deprecated)");
        }

        if (p.Required)
        {
            title.Append(" (required)");
        }

        if (p.Unique)
        {
            title.Append(" (unique)");
        }

        if (p.Default is { Length: > 0 } value)
        {
            title.Append($" (default: {value})");
        }

        return title.ToString();
    }

    private static string Description(ParameterDescription p) =>
        p.LongDescription is { Length: > 0 } longDesc ? OneLine(longDesc)
        : p.ShortDescription is { Length: > 0 } shortDesc ? OneLine(shortDesc)
        : "No description available";

    // pcs replaces newlines by spaces and keeps the rest as written.
    private static string OneLine(string text) => text.Replace("\r\n", " ", StringComparison.Ordinal).Replace('\n', ' ');
}

using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;

namespace ClusterManager.Cib;

/// <summary>Attribute access and error reporting shared by the reader's parts.</summary>
internal static class CibXml
{
    public static string? Attr(this XElement e, string name) => e.Attribute(name)?.Value;

    public static string Id(this XElement e) => e.Attribute("id")?.Value ?? e.Attribute("id-ref")?.Value ?? "";

    /// <summary><c>rsc_colocation 'c1'</c> (tag and id), or the tag alone when there is no id.</summary>
    public static string Describe(XElement e)
    {
        var id = e.Attribute("id")?.Value ?? e.Attribute("id-ref")?.Value;
        return id is null ? e.Name.LocalName : $"{e.Name.LocalName} '{id}'";
    }

    /// <summary>The element's path from the root with ids: <c>/cib/configuration/resources/primitive[@id='r1']</c>.</summary>
    public static string PathOf(XElement e)
    {
        var parts = new List<string>();
        for (var x = e; x is not null; x = x.Parent)
        {
            var id = x.Attribute("id")?.Value;
            parts.Add(id is null ? x.Name.LocalName : $"{x.Name.LocalName}[@id='{id}']");
        }

        parts.Reverse();
        var sb = new StringBuilder();
        foreach (var p in parts)
        {
            sb.Append('/').Append(p);
        }

        return sb.ToString();
    }

    public static CibFormatException Fail(XElement e, string problem)
    {
        var line = e is IXmlLineInfo li && li.HasLineInfo() ? $" (line {li.LineNumber})" : "";
        return new CibFormatException($"{Describe(e)}: {problem}{line}", PathOf(e));
    }

    public static string Required(this XElement e, string name) =>
        e.Attribute(name)?.Value is { } v ? v : throw Fail(e, $"required attribute '{name}' is missing");

    public static Score? OptionalScore(this XElement e, string name)
    {
        var text = e.Attribute(name)?.Value;
        if (text is null)
        {
            return null;
        }

        return Score.TryParse(text, out var s)
            ? s
            : throw Fail(e, $"{name} '{text}' is not a score (an integer, INFINITY or -INFINITY)");
    }

    public static TimeSpan? OptionalDuration(this XElement e, string name)
    {
        var text = e.Attribute(name)?.Value;
        if (text is null)
        {
            return null;
        }

        return Durations.TryParse(text, out var d)
            ? d
            : throw Fail(e, $"{name} '{text}' is not a valid interval (a number of seconds with an optional unit ms, s, m, h, or ISO 8601 like PT10S)");
    }

    public static ResourceRole? OptionalRole(this XElement e, string name)
    {
        var text = e.Attribute(name)?.Value;
        if (text is null)
        {
            return null;
        }

        return ResourceRoleText.TryParse(text, out var r)
            ? r
            : throw Fail(e, $"{name} '{text}' is not a role (Stopped, Started, Unpromoted, Promoted, or legacy Slave, Master)");
    }

    public static ResourceAction? OptionalAction(this XElement e, string name)
    {
        var text = e.Attribute(name)?.Value;
        if (text is null)
        {
            return null;
        }

        return ResourceRoleText.TryParseAction(text, out var a)
            ? a
            : throw Fail(e, $"{name} '{text}' is not an action (start, stop, promote, demote, ...)");
    }

    public static bool? OptionalBool(this XElement e, string name)
    {
        var text = e.Attribute(name)?.Value;
        if (text is null)
        {
            return null;
        }

        return TryParseBool(text, out var b)
            ? b
            : throw Fail(e, $"{name} '{text}' is not a boolean (true, false, yes, no, on, off, 1, 0)");
    }

    public static int RequiredInt(this XElement e, string name)
    {
        var text = e.Required(name);
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw Fail(e, $"{name} '{text}' is not an integer");
    }

    public static long? OptionalLong(this XElement e, string name)
    {
        var text = e.Attribute(name)?.Value;
        if (text is null)
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw Fail(e, $"{name} '{text}' is not an integer");
    }

    /// <summary>Pacemaker's <c>crm_str_to_boolean</c>: true/on/yes/y/1 and false/off/no/n/0, case-insensitive.</summary>
    public static bool TryParseBool(string? text, out bool value)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "true" or "on" or "yes" or "y" or "1":
                value = true;
                return true;
            case "false" or "off" or "no" or "n" or "0":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    public static OrderKind? OptionalKind(this XElement e, string name)
    {
        var text = e.Attribute(name)?.Value;
        return text switch
        {
            null => null,
            "Mandatory" => OrderKind.Mandatory,
            "Optional" => OrderKind.Optional,
            "Serialize" => OrderKind.Serialize,
            _ => throw Fail(e, $"{name} '{text}' is not an order kind (Mandatory, Optional, Serialize; case-sensitive)"),
        };
    }

    public static string RoleText(ResourceRole role) => role switch
    {
        ResourceRole.Stopped => "Stopped",
        ResourceRole.Started => "Started",
        ResourceRole.Unpromoted => "Unpromoted",
        ResourceRole.Promoted => "Promoted",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "no CIB text for this role"),
    };

    public static string KindText(OrderKind kind) => kind switch
    {
        OrderKind.Mandatory => "Mandatory",
        OrderKind.Optional => "Optional",
        OrderKind.Serialize => "Serialize",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// Calls <paramref name="onChild"/> for each child element of the element the reader is on; each call must
    /// consume its element (Skip or a nested Children). Ends with the reader after the parent's end tag.
    /// </summary>
    public static void Children(XmlReader r, Action<XmlReader> onChild)
    {
        if (r.IsEmptyElement)
        {
            r.Read();
            return;
        }

        var depth = r.Depth;
        r.Read();
        while (!r.EOF && !(r.Depth == depth && r.NodeType == XmlNodeType.EndElement))
        {
            if (r.NodeType == XmlNodeType.Element)
            {
                onChild(r);
            }
            else
            {
                r.Read();
            }
        }

        r.Read();
    }

    public static string Text(long v) => v.ToString(CultureInfo.InvariantCulture);
}

using System.Collections.Immutable;
using System.Xml.Linq;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;

namespace ClusterManager.Cib;

internal sealed partial class CibReadSession
{
    private Constraint? ReadConstraint(XElement e)
    {
        switch (e.Name.LocalName)
        {
            case "rsc_location":
                return ReadLocation(e);
            case "rsc_colocation":
                return ReadColocation(e);
            case "rsc_order":
                return ReadOrder(e);
            case "rsc_ticket":
                return ReadTicket(e);
            default:
                Warn($"{CibXml.Describe(e)}: <{e.Name.LocalName}> in constraints is not modelled; ignored");
                return null;
        }
    }

    private static ResourceId? OptionalResource(XElement e, string name) =>
        e.Attr(name) is { } v ? new ResourceId(v) : null;

    private ImmutableArray<ResourceSet> ReadResourceSets(XElement e)
    {
        var sets = ImmutableArray.CreateBuilder<ResourceSet>();
        foreach (var child in e.Elements("resource_set"))
        {
            sets.Add(ReadResourceSet(child));
        }

        return sets.ToImmutable();
    }

    private void WarnLifetime(XElement e)
    {
        foreach (var child in e.Elements())
        {
            var name = child.Name.LocalName;
            if (name == "lifetime")
            {
                Warn($"{CibXml.Describe(e)}: the deprecated <lifetime> is not supported; ignored (the constraint always applies)");
            }
            else if (name is not ("resource_set" or "rule"))
            {
                Warn($"{CibXml.Describe(e)}: <{name}> is not modelled; ignored");
            }
        }
    }

    private ResourceSet ReadResourceSet(XElement element)
    {
        var e = Expand(element);
        var id = e.Required("id");
        var resources = ImmutableArray.CreateBuilder<ResourceId>();
        foreach (var child in e.Elements())
        {
            if (child.Name.LocalName == "resource_ref")
            {
                resources.Add(new ResourceId(child.Required("id")));
            }
            else
            {
                Warn($"{CibXml.Describe(e)}: <{child.Name.LocalName}> in a resource set is not modelled; ignored");
            }
        }

        var ordering = e.Attr("ordering");
        if (ordering is not (null or "group" or "listed"))
        {
            throw CibXml.Fail(e, $"ordering '{ordering}' is not 'group' or 'listed'");
        }

        return new ResourceSet(
            id,
            resources.ToImmutable(),
            e.OptionalBool("sequential"),
            e.OptionalBool("require-all"),
            ordering,
            e.OptionalAction("action"),
            e.OptionalRole("role"),
            e.OptionalScore("score"),
            ReadKind(e));
    }

    /// <summary>Pacemaker treats an unknown order kind as Mandatory (logging a configuration error); so do we, with a warning.</summary>
    private OrderKind? ReadKind(XElement e)
    {
        try
        {
            return e.OptionalKind("kind");
        }
        catch (CibFormatException ex)
        {
            Warn($"{ex.Message}; treated as Mandatory, as Pacemaker does");
            return OrderKind.Mandatory;
        }
    }

    private LocationConstraint ReadLocation(XElement e)
    {
        var id = e.Required("id");
        WarnLifetime(e);
        var discovery = e.Attr("resource-discovery") switch
        {
            null or "always" => ResourceDiscovery.Always,
            "never" => ResourceDiscovery.Never,
            "exclusive" => ResourceDiscovery.Exclusive,
            var d => throw CibXml.Fail(e, $"resource-discovery '{d}' is not one of always, never, exclusive"),
        };
        var rules = e.Elements("rule").Select(ReadRule).ToImmutableArray();
        var sets = ReadResourceSets(e);
        var rsc = OptionalResource(e, "rsc");
        var pattern = e.Attr("rsc-pattern");
        if (rsc is null && pattern is null && sets.IsEmpty)
        {
            throw CibXml.Fail(e, "names no resource (rsc, rsc-pattern or a resource_set is required)");
        }

        if (pattern is not null && CibFragment.PatternError(pattern.StartsWith('!') ? pattern[1..] : pattern) is { } patternError)
        {
            throw CibXml.Fail(e, $"rsc-pattern '{pattern}' is not a valid regular expression: {patternError}");
        }

        var node = e.Attr("node");
        var score = e.OptionalScore("score");
        if (node is not null && score is null && e.Attr("score-attribute") is null)
        {
            throw CibXml.Fail(e, "required attribute 'score' is missing (node is given)");
        }

        if (node is null && rules.IsEmpty)
        {
            throw CibXml.Fail(e, "needs a node and a score, or at least one rule");
        }

        return new LocationConstraint(
            id, rsc, pattern, sets, e.OptionalRole("role"), node is null ? null : new NodeName(node), score, rules, discovery);
    }

    private ColocationConstraint ReadColocation(XElement e)
    {
        var id = e.Required("id");
        WarnLifetime(e);
        var sets = ReadResourceSets(e);
        var dependent = OptionalResource(e, "rsc");
        var primary = OptionalResource(e, "with-rsc");
        if (sets.IsEmpty)
        {
            if (dependent is null)
            {
                throw CibXml.Fail(e, "required attribute 'rsc' is missing");
            }

            if (primary is null)
            {
                throw CibXml.Fail(e, "required attribute 'with-rsc' is missing");
            }
        }

        if (e.Attr("symmetrical") is not null)
        {
            Warn($"{CibXml.Describe(e)}: 'symmetrical' has no meaning for a colocation (Pacemaker ignores it); ignored");
        }

        bool? influence = null;
        if (e.Attr("influence") is { } inf)
        {
            if (CibXml.TryParseBool(inf, out var b))
            {
                influence = b;
            }
            else
            {
                Warn($"{CibXml.Describe(e)}: influence '{inf}' is not a boolean; ignored (the dependent's 'critical' applies), as Pacemaker does");
            }
        }

        return new ColocationConstraint(
            id,
            dependent,
            primary,
            e.OptionalScore("score") ?? Score.Zero,
            e.OptionalRole("rsc-role"),
            e.OptionalRole("with-rsc-role"),
            e.Attr("node-attribute"),
            influence,
            sets);
    }

    private OrderConstraint ReadOrder(XElement e)
    {
        var id = e.Required("id");
        WarnLifetime(e);
        var sets = ReadResourceSets(e);
        var first = OptionalResource(e, "first");
        var then = OptionalResource(e, "then");
        if (sets.IsEmpty)
        {
            if (first is null)
            {
                throw CibXml.Fail(e, "required attribute 'first' is missing");
            }

            if (then is null)
            {
                throw CibXml.Fail(e, "required attribute 'then' is missing");
            }
        }

        // Absent kind: Mandatory, or (deprecated) Optional when score="0"; any other score is Mandatory.
        var kind = ReadKind(e);
        if (kind is null)
        {
            var score = e.OptionalScore("score");
            kind = score is { Value: 0 } ? OrderKind.Optional : OrderKind.Mandatory;
        }
        else
        {
            _ = e.OptionalScore("score");
        }

        return new OrderConstraint(
            id,
            first,
            then,
            e.OptionalAction("first-action"),
            e.OptionalAction("then-action"),
            kind.Value,
            e.OptionalBool("symmetrical"),
            e.OptionalBool("require-all"),
            sets);
    }

    private TicketConstraint ReadTicket(XElement e)
    {
        var id = e.Required("id");
        var sets = ReadResourceSets(e);
        var rsc = OptionalResource(e, "rsc");
        if (rsc is null && sets.IsEmpty)
        {
            throw CibXml.Fail(e, "required attribute 'rsc' is missing");
        }

        var loss = e.Attr("loss-policy");
        if (loss is not (null or "stop" or "demote" or "fence" or "freeze"))
        {
            throw CibXml.Fail(e, $"loss-policy '{loss}' is not one of stop, demote, fence, freeze");
        }

        return new TicketConstraint(id, rsc, e.OptionalRole("rsc-role"), e.Required("ticket"), loss, sets);
    }
}

using System.Xml.Linq;
using ClusterManager.Api.V1;
using ClusterManager.Cli.Client;
using ClusterManager.Cli.Editing;
using ClusterManager.Cli.Output;

namespace ClusterManager.Cli.Commands.Constraints;

/// <summary><c>hactl constraint ...</c>: location, colocation and order constraints with pcs's syntax and ids.</summary>
internal static class ConstraintCommands
{
    /// <summary>Every constraint command.</summary>
    public static IEnumerable<CommandDefinition> All =>
    [
        Bare, Config, Show, List, Ref, Delete, Remove,
        Location, LocationAdd, LocationDelete, LocationRemove, LocationConfig,
        Colocation, ColocationAdd, ColocationDelete, ColocationRemove, ColocationConfig,
        Order, OrderDelete, OrderRemove, OrderConfig,
    ];

    private const string ConfigUsage = """
        Usage: hactl constraint [config] [--full] [--all] [--output json]

        Lists the constraints (location, colocation, order, ticket); --full also shows their ids.
        'constraint show' and 'constraint list' are deprecated names of it.
        """;

    private static readonly CommandDefinition Bare = ClusterCommand.Bare("constraint", "list constraints (= constraint config)", ConfigUsage, (c, ct) => ConfigAsync(c, null, false, ct));

    private static readonly CommandDefinition Config = ClusterCommand.Define(["constraint", "config"], "list constraints", ConfigUsage, (c, ct) => ConfigAsync(c, null, false, ct));

    private static readonly CommandDefinition Show = ClusterCommand.Define(["constraint", "show"], "list constraints (deprecated: constraint config)", ConfigUsage, (c, ct) => ConfigAsync(c, null, true, ct));

    private static readonly CommandDefinition List = ClusterCommand.Define(["constraint", "list"], "list constraints (deprecated: constraint config)", ConfigUsage, (c, ct) => ConfigAsync(c, null, true, ct));

    private const string RefUsage = """
        Usage: hactl constraint ref RESOURCE_ID...

        Lists the ids of the constraints that name each resource.
        """;

    private static readonly CommandDefinition Ref = ClusterCommand.Define(["constraint", "ref"], "list constraints naming a resource", RefUsage, RefAsync);

    private const string DeleteUsage = """
        Usage: hactl constraint delete CONSTRAINT_ID... [--yes]
               hactl constraint remove CONSTRAINT_ID... [--yes]

        Deletes constraints by id (see 'hactl constraint config --full'). Asks on a terminal; otherwise --yes is needed.
        """;

    private static readonly CommandDefinition Delete = ClusterCommand.Define(["constraint", "delete"], "delete constraints by id", DeleteUsage, (c, ct) => DeleteByIdAsync(c, null, ct));

    private static readonly CommandDefinition Remove = ClusterCommand.Define(["constraint", "remove"], "delete constraints by id (= constraint delete)", DeleteUsage, (c, ct) => DeleteByIdAsync(c, null, ct));

    private const string LocationUsage = """
        Usage: hactl constraint location RESOURCE_ID prefers NODE[=SCORE] [NODE[=SCORE]]...
               hactl constraint location RESOURCE_ID avoids NODE[=SCORE] [NODE[=SCORE]]...
               hactl constraint location add CONSTRAINT_ID RESOURCE_ID NODE SCORE [resource-discovery=always|never|exclusive]
               hactl constraint location RESOURCE_ID rule [id=RULE_ID] [constraint-id=ID] [resource-discovery=...]
                   [role=Promoted|Unpromoted] [score=SCORE | score-attribute=ATTRIBUTE] EXPRESSION
               hactl constraint location delete|remove CONSTRAINT_ID [--yes]
               hactl constraint location [config] [--full] [--output json]

        prefers/avoids: score INFINITY unless given (avoids: the negative); ids location-RESOURCE-NODE-SCORE (a
        constraint with the same id is replaced).
        rule: the resource gets SCORE (INFINITY unless given) on the nodes where EXPRESSION holds; EXPRESSION is
        pcs's: defined|not_defined ATTR, ATTR lt|gt|lte|gte|eq|ne [string|integer|number|version] VALUE,
        date gt|lt DATE, date in_range DATE to DATE, date in_range DATE to duration NAME=VALUE...,
        date-spec NAME=VALUE..., joined with and/or and grouped with ( ). Example (move away from a node that
        lost its ping targets): constraint location VIP rule score=-INFINITY pingd lt 1 or not_defined pingd
        """;

    private static readonly CommandDefinition Location = ClusterCommand.Define(["constraint", "location"], "add location constraints (prefers/avoids) or list them", LocationUsage, LocationAsync);

    private static readonly CommandDefinition LocationAdd = ClusterCommand.Define(["constraint", "location", "add"], "add a location constraint with an id", LocationUsage, LocationAddAsync);

    private static readonly CommandDefinition LocationDelete = ClusterCommand.Define(["constraint", "location", "delete"], "delete a location constraint", LocationUsage, (c, ct) => DeleteByIdAsync(c, "rsc_location", ct));

    private static readonly CommandDefinition LocationRemove = ClusterCommand.Define(["constraint", "location", "remove"], "delete a location constraint", LocationUsage, (c, ct) => DeleteByIdAsync(c, "rsc_location", ct));

    private static readonly CommandDefinition LocationConfig = ClusterCommand.Define(["constraint", "location", "config"], "list location constraints", LocationUsage, (c, ct) => ConfigAsync(c, "location", false, ct));

    private const string ColocationUsage = """
        Usage: hactl constraint colocation add [ROLE] SOURCE_ID with [ROLE] TARGET_ID [SCORE] [OPTION=VALUE...] [id=CONSTRAINT_ID]
               hactl constraint colocation delete|remove SOURCE_ID TARGET_ID [--yes]
               hactl constraint colocation [config] [--full] [--output json]

        SOURCE runs where TARGET runs (negative score: never together). ROLE: Promoted, Unpromoted, Started,
        Stopped (Master/Slave are deprecated names). SCORE: INFINITY unless given (also score=...; a negative score
        positionally needs '--' before it). Options: node-attribute, influence, rsc-role, with-rsc-role (as
        older guides write: with-rsc-role=Master). Id: colocation-SOURCE-TARGET-SCORE.
        """;

    private static readonly CommandDefinition Colocation = ClusterCommand.Define(["constraint", "colocation"], "list colocation constraints", ColocationUsage, (c, ct) => ConfigAsync(c, "colocation", false, ct));

    private static readonly CommandDefinition ColocationAdd = ClusterCommand.Define(["constraint", "colocation", "add"], "add a colocation constraint", ColocationUsage, ColocationAddAsync);

    private static readonly CommandDefinition ColocationDelete = ClusterCommand.Define(["constraint", "colocation", "delete"], "delete colocation constraints between two resources", ColocationUsage, ColocationDeleteAsync);

    private static readonly CommandDefinition ColocationRemove = ClusterCommand.Define(["constraint", "colocation", "remove"], "delete colocation constraints between two resources", ColocationUsage, ColocationDeleteAsync);

    private static readonly CommandDefinition ColocationConfig = ClusterCommand.Define(["constraint", "colocation", "config"], "list colocation constraints", ColocationUsage, (c, ct) => ConfigAsync(c, "colocation", false, ct));

    private const string OrderUsage = """
        Usage: hactl constraint order [ACTION] FIRST_ID then [ACTION] THEN_ID [kind=Mandatory|Optional|Serialize]
                   [symmetrical=true|false] [require-all=true|false] [id=CONSTRAINT_ID]
               hactl constraint order delete|remove RESOURCE_ID... [--yes]
               hactl constraint order [config] [--full] [--output json]

        ACTION: start (default), stop, promote, demote. Id: order-FIRST-THEN-KIND.
        """;

    private static readonly CommandDefinition Order = ClusterCommand.Define(["constraint", "order"], "add an order constraint or list them", OrderUsage, OrderAsync);

    private static readonly CommandDefinition OrderDelete = ClusterCommand.Define(["constraint", "order", "delete"], "delete order constraints of resources", OrderUsage, OrderDeleteAsync);

    private static readonly CommandDefinition OrderRemove = ClusterCommand.Define(["constraint", "order", "remove"], "delete order constraints of resources", OrderUsage, OrderDeleteAsync);

    private static readonly CommandDefinition OrderConfig = ClusterCommand.Define(["constraint", "order", "config"], "list order constraints", OrderUsage, (c, ct) => ConfigAsync(c, "order", false, ct));

    private static readonly string[] Actions = ["start", "stop", "promote", "demote"];

    private static async Task<int> ConfigAsync(ClusterCall call, string? kind, bool deprecated, CancellationToken cancellationToken)
    {
        var format = ClusterCommand.TakeFormat(call.Args);
        var full = call.Args.TakeFlag("--full");
        call.Args.TakeFlag("--all");
        if (kind is "location" or null && call.Args.Peek() is "resources" or "nodes")
        {
            throw new UsageException("the per-resource and per-node views are not supported; use 'hactl constraint config'");
        }

        call.Args.EnsureEnd();
        if (deprecated)
        {
            call.Error.Write("Deprecation Warning: This command is deprecated and will be removed. Please use 'hactl constraint config' instead.\n");
        }

        var state = await call.Client.ReadStateAsync(false, cancellationToken).ConfigureAwait(false);
        if (format == OutputFormat.Json)
        {
            var json = ConstraintWriter.Json(state.Constraints);
            if (kind is not null)
            {
                foreach (var key in json.Select(p => p.Key).Where(k => !k.StartsWith(kind, StringComparison.Ordinal)).ToList())
                {
                    json.Remove(key);
                }
            }

            ClusterCommand.WriteJson(call.Out, json);
        }
        else
        {
            ConstraintWriter.WriteText(call.Out, state.Constraints, full, kind is null ? null : [kind]);
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> RefAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var ids = new List<string> { call.Args.Take("resource id") };
        while (!call.Args.AtEnd)
        {
            ids.Add(call.Args.Take("resource id"));
        }

        var state = await call.Client.ReadStateAsync(false, cancellationToken).ConfigureAwait(false);
        foreach (var id in ids)
        {
            call.Out.Write($"Resource: {id}\n");
            var refs = state.Constraints.Elements().Where(c => CibEdit.ReferencedResources(c).Contains(id)).ToList();
            if (refs.Count == 0)
            {
                call.Out.Write("  No Matches\n");
            }

            foreach (var c in refs)
            {
                call.Out.Write($"  {(string?)c.Attribute("id")}\n");
            }
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> DeleteByIdAsync(ClusterCall call, string? element, CancellationToken cancellationToken)
    {
        var yes = call.Args.TakeFlag("--yes", "-y");
        var ids = new List<string> { call.Args.Take("constraint id") };
        while (!call.Args.AtEnd)
        {
            ids.Add(call.Args.Take("constraint id"));
        }

        if (ClusterCommand.Confirm(call.Context, $"Delete constraint{(ids.Count > 1 ? "s" : "")} {string.Join(", ", ids)}", yes) is { } refused)
        {
            return refused;
        }

        return await ClusterCommand.EditAsync(call, state =>
        {
            var changes = new List<Change>();
            foreach (var id in ids.Distinct())
            {
                var constraint = state.Constraints.Elements().FirstOrDefault(c => (string?)c.Attribute("id") == id);
                if (constraint is null || (element is not null && constraint.Name.LocalName != element))
                {
                    return EditPlan.Fail($"Unable to find constraint - '{id}'");
                }

                changes.Add(Changes.DeleteConstraint(id));
            }

            return EditPlan.Of(changes);
        }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> LocationAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var args = call.Args;
        if (args.AtEnd || args.Peek()!.StartsWith('-'))
        {
            return await ConfigAsync(call, "location", false, cancellationToken).ConfigureAwait(false);
        }

        var resource = args.Take("resource id");
        var verb = args.Take("'prefers' or 'avoids'");
        if (verb == "rule")
        {
            return await LocationRuleAsync(call, resource, cancellationToken).ConfigureAwait(false);
        }

        if (verb is not ("prefers" or "avoids"))
        {
            throw new UsageException($"expected 'prefers' or 'avoids' after the resource id, not '{verb}'");
        }

        var targets = new List<(string Node, string Score)>();
        while (!args.AtEnd)
        {
            var token = args.Take("node");
            var equals = token.IndexOf('=', StringComparison.Ordinal);
            var node = equals < 0 ? token : token[..equals];
            var score = equals < 0 ? "INFINITY" : ConstraintXml.Score(token[(equals + 1)..]);
            if (node.Length == 0)
            {
                throw new UsageException($"'{token}': the node name is missing");
            }

            if (score.StartsWith('-'))
            {
                throw new UsageException($"'{token}': give a positive score; '{verb}' sets the sign");
            }

            score = score.TrimStart('+');
            targets.Add((node, verb == "avoids" ? "-" + score : score));
        }

        if (targets.Count == 0)
        {
            throw new UsageException($"'{verb}' needs at least one NODE[=SCORE]");
        }

        return await ClusterCommand.EditAsync(call, state =>
        {
            if (CibEdit.FindResource(state.Resources, resource) is null)
            {
                return EditPlan.Fail($"Resource '{resource}' does not exist");
            }

            return EditPlan.Of([.. targets.Select(t => Changes.PutConstraint(
                ConstraintXml.Location(ConstraintXml.LocationId(resource, t.Node, t.Score), resource, t.Node, t.Score), WriteMode.Upsert))]);
        }, cancellationToken).ConfigureAwait(false);
    }

    private static readonly HashSet<string> RuleOptions = ["id", "constraint-id", "resource-discovery", "role", "score", "score-attribute"];

    /// <summary>
    /// pcs's <c>constraint location RSC rule [id=RULE_ID] [constraint-id=ID] [resource-discovery=...] [role=...]
    /// [score=SCORE | score-attribute=ATTR] EXPRESSION</c>: a location constraint holding one rule (RuleXml).
    /// </summary>
    private static async Task<int> LocationRuleAsync(ClusterCall call, string resource, CancellationToken cancellationToken)
    {
        var args = call.Args;
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var expression = new List<string>();
        while (!args.AtEnd)
        {
            var token = args.Take("rule expression");
            var equals = token.IndexOf('=', StringComparison.Ordinal);
            if (expression.Count == 0 && equals > 0 && RuleOptions.Contains(token[..equals]))
            {
                if (!options.TryAdd(token[..equals], token[(equals + 1)..]))
                {
                    throw new UsageException($"'{token[..equals]}' is given twice");
                }

                continue;
            }

            expression.Add(token);
        }

        if (options.ContainsKey("score") && options.ContainsKey("score-attribute"))
        {
            throw new UsageException("give score= or score-attribute=, not both");
        }

        var score = options.TryGetValue("score", out var s) ? ConstraintXml.Score(s) : null;
        string? role = null;
        if (options.TryGetValue("role", out var r))
        {
            role = ConstraintXml.IsRole(r) ? ConstraintXml.Role(r, call.Error) : null;
            if (role is not ("Promoted" or "Unpromoted"))
            {
                throw new UsageException($"role '{r}' is not Promoted or Unpromoted");
            }
        }

        var discovery = options.TryGetValue("resource-discovery", out var d)
            ? (d is "always" or "never" or "exclusive" ? d : throw new UsageException($"resource-discovery '{d}' is not always, never or exclusive"))
            : null;
        foreach (var key in new[] { "id", "constraint-id" })
        {
            if (options.TryGetValue(key, out var given))
            {
                ResourceXml.Take(new HashSet<string>(), given);
            }
        }

        // Parsed before the cluster is asked, so a bad expression names its word without a round trip.
        _ = RuleXml.Rule("check", expression, score, options.GetValueOrDefault("score-attribute"), role);
        return await ClusterCommand.EditAsync(call, state =>
        {
            if (CibEdit.FindResource(state.Resources, resource) is null)
            {
                return EditPlan.Fail($"Resource '{resource}' does not exist");
            }

            var ids = CibEdit.AllIds(state.Cib);
            foreach (var key in new[] { "id", "constraint-id" })
            {
                if (options.TryGetValue(key, out var given) && ids.Contains(given))
                {
                    return EditPlan.Fail($"id '{given}' is already in use, please specify another one");
                }
            }

            var constraintId = options.GetValueOrDefault("constraint-id") ?? Unique(ids, $"location-{resource}");
            var ruleId = options.GetValueOrDefault("id") ?? Unique(ids, $"{constraintId}-rule");
            var location = new XElement("rsc_location", new XAttribute("id", constraintId), new XAttribute("rsc", resource));
            if (discovery is not null)
            {
                location.Add(new XAttribute("resource-discovery", discovery));
            }

            location.Add(RuleXml.Rule(ruleId, expression, score, options.GetValueOrDefault("score-attribute"), role));
            return EditPlan.Of([Changes.PutConstraint(location, WriteMode.Create)]);
        }, cancellationToken).ConfigureAwait(false);

        static string Unique(IReadOnlySet<string> ids, string stem)
        {
            var id = stem;
            for (var n = 1; ids.Contains(id); n++)
            {
                id = $"{stem}-{n}";
            }

            return id;
        }
    }

    private static async Task<int> LocationAddAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var args = call.Args;
        var id = args.Take("constraint id");
        var resource = args.Take("resource id");
        var node = args.Take("node");
        var score = ConstraintXml.Score(args.Take("score"));
        string? discovery = null;
        foreach (var (name, value) in args.TakeNameValues())
        {
            discovery = name == "resource-discovery" && value is "always" or "never" or "exclusive"
                ? value
                : throw new UsageException($"'{name}={value}': the only option is resource-discovery=always|never|exclusive");
        }

        args.EnsureEnd();
        ResourceXml.Take(new HashSet<string>(), id);
        return await ClusterCommand.EditAsync(call, state =>
        {
            if (CibEdit.FindResource(state.Resources, resource) is null)
            {
                return EditPlan.Fail($"Resource '{resource}' does not exist");
            }

            if (CibEdit.AllIds(state.Cib).Contains(id))
            {
                return EditPlan.Fail($"id '{id}' is already in use");
            }

            return EditPlan.Of([Changes.PutConstraint(ConstraintXml.Location(id, resource, node, score, discovery: discovery), WriteMode.Create)]);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The parsed <c>colocation add</c> arguments.</summary>
    internal sealed record ColocationSpec(string Resource, string? Role, string WithResource, string? WithRole, string Score, string? Id,
        IReadOnlyList<KeyValuePair<string, string>> Options);

    /// <summary>Parses <c>[ROLE] SOURCE with [ROLE] TARGET [SCORE] [options] [id=ID]</c>.</summary>
    /// <exception cref="UsageException">The arguments do not fit.</exception>
    internal static ColocationSpec ParseColocation(ArgumentCursor args, TextWriter warnings)
    {
        ArgumentNullException.ThrowIfNull(args);
        var tokens = new List<string>();
        while (!args.AtEnd)
        {
            tokens.Add(args.Take("argument"));
        }

        var at = 0;
        string? role = null;
        if (tokens.Count > 2 && ConstraintXml.IsRole(tokens[0]) && tokens[1] != "with")
        {
            role = ConstraintXml.Role(tokens[0], warnings);
            at = 1;
        }

        if (at >= tokens.Count)
        {
            throw new UsageException("missing source resource id");
        }

        var resource = tokens[at++];
        string? withRole = null;
        if (at < tokens.Count && tokens[at] != "with" && role is null && !tokens[at].Contains('=', StringComparison.Ordinal))
        {
            // pcs 0.9/0.10's older form, still in many HA guides: SOURCE TARGET [SCORE] [options].
            warnings.WriteLine("warning: 'colocation add SOURCE TARGET' is deprecated, use 'colocation add SOURCE with TARGET'");
        }
        else if (at >= tokens.Count || tokens[at] != "with")
        {
            throw new UsageException("expected 'with' after the source resource (colocation add [ROLE] SOURCE with [ROLE] TARGET [SCORE])");
        }
        else
        {
            at++;
            if (at + 1 < tokens.Count && ConstraintXml.IsRole(tokens[at]) && !tokens[at + 1].Contains('=', StringComparison.Ordinal)
                && !Model.Score.TryParse(tokens[at + 1], out _))
            {
                withRole = ConstraintXml.Role(tokens[at], warnings);
                at++;
            }
        }

        if (at >= tokens.Count)
        {
            throw new UsageException("missing target resource id after 'with'");
        }

        var withResource = tokens[at++];
        string? score = null;
        if (at < tokens.Count && !tokens[at].Contains('=', StringComparison.Ordinal))
        {
            score = ConstraintXml.Score(tokens[at++]);
        }

        string? id = null;
        var options = new List<KeyValuePair<string, string>>();
        for (; at < tokens.Count; at++)
        {
            var token = tokens[at];
            var equals = token.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new UsageException($"unexpected argument '{token}' (options are NAME=VALUE)");
            }

            var (name, value) = (token[..equals], token[(equals + 1)..]);
            switch (name)
            {
                case "id":
                    id = value;
                    break;
                case "score":
                    score = score is null ? ConstraintXml.Score(value) : throw new UsageException("the score is given twice");
                    break;
                case "node-attribute":
                    options.Add(new(name, value));
                    break;
                case "influence" when value is "true" or "false":
                    options.Add(new(name, value));
                    break;
                case "rsc-role" or "with-rsc-role":
                    // As in pcs, where the options become the constraint's attributes (HA guides write with-rsc-role=Master).
                    if (!ConstraintXml.IsRole(value))
                    {
                        throw new UsageException($"{name} '{value}' is not a role (Promoted, Unpromoted, Started, Stopped)");
                    }

                    if (name == "rsc-role")
                    {
                        role = ConstraintXml.Role(value, warnings);
                    }
                    else
                    {
                        withRole = ConstraintXml.Role(value, warnings);
                    }

                    break;
                default:
                    throw new UsageException($"invalid option '{name}={value}' (allowed: score, id, rsc-role, with-rsc-role, node-attribute, influence=true|false)");
            }
        }

        if (resource == withResource)
        {
            throw new UsageException("a resource cannot be colocated with itself");
        }

        return new ColocationSpec(resource, role, withResource, withRole, score ?? "INFINITY", id, options);
    }

    private static async Task<int> ColocationAddAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var force = call.Args.TakeFlag("--force");
        var spec = ParseColocation(call.Args, call.Error);
        if (spec.Id is { } given)
        {
            ResourceXml.Take(new HashSet<string>(), given);
        }

        return await ClusterCommand.EditAsync(call, state =>
        {
            foreach (var r in new[] { spec.Resource, spec.WithResource })
            {
                if (CibEdit.FindResource(state.Resources, r) is null)
                {
                    return EditPlan.Fail($"Resource '{r}' does not exist");
                }
            }

            var ids = CibEdit.AllIds(state.Cib);
            var duplicate = state.Constraints.Elements("rsc_colocation").FirstOrDefault(c =>
                (string?)c.Attribute("rsc") == spec.Resource && (string?)c.Attribute("with-rsc") == spec.WithResource
                && (string?)c.Attribute("rsc-role") == spec.Role && (string?)c.Attribute("with-rsc-role") == spec.WithRole);
            if (duplicate is not null && !force)
            {
                return EditPlan.Fail($"duplicate constraint already exists (id: {(string?)duplicate.Attribute("id")}), use --force to override");
            }

            string id;
            if (spec.Id is { } wanted)
            {
                if (ids.Contains(wanted))
                {
                    return EditPlan.Fail($"id '{wanted}' is already in use");
                }

                id = wanted;
            }
            else
            {
                id = CibEdit.UniqueId(ids, ConstraintXml.ColocationId(spec.Resource, spec.WithResource, spec.Score));
            }

            var element = ConstraintXml.Colocation(id, spec.Resource, spec.WithResource, spec.Score, spec.Role, spec.WithRole, spec.Options);
            return EditPlan.Of([Changes.PutConstraint(element, WriteMode.Create)]);
        }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> ColocationDeleteAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var yes = call.Args.TakeFlag("--yes", "-y");
        var source = call.Args.Take("source resource id");
        var target = call.Args.Take("target resource id");
        call.Args.EnsureEnd();
        if (ClusterCommand.Confirm(call.Context, $"Delete the colocation constraints of {source} with {target}", yes) is { } refused)
        {
            return refused;
        }

        return await ClusterCommand.EditAsync(call, state =>
        {
            var matching = state.Constraints.Elements("rsc_colocation")
                .Where(c => (string?)c.Attribute("rsc") == source && (string?)c.Attribute("with-rsc") == target)
                .Select(c => (string)c.Attribute("id")!).ToList();
            return matching.Count == 0
                ? EditPlan.Fail($"Unable to find colocation constraint with source '{source}' and target '{target}'")
                : EditPlan.Of([.. matching.Select(Changes.DeleteConstraint)]);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The parsed <c>order</c> arguments.</summary>
    internal sealed record OrderSpec(string FirstAction, string First, string ThenAction, string Then, string? Id,
        IReadOnlyList<KeyValuePair<string, string>> Options)
    {
        public string Kind => Options.FirstOrDefault(o => o.Key == "kind").Value ?? "Mandatory";
    }

    /// <summary>Parses <c>[ACTION] FIRST then [ACTION] THEN [options]</c>.</summary>
    /// <exception cref="UsageException">The arguments do not fit.</exception>
    internal static OrderSpec ParseOrder(ArgumentCursor args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var tokens = new List<string>();
        while (!args.AtEnd)
        {
            tokens.Add(args.Take("argument"));
        }

        var at = 0;
        var firstAction = "start";
        if (tokens.Count > 2 && Actions.Contains(tokens[0]) && tokens[1] != "then")
        {
            firstAction = tokens[at++];
        }

        if (at >= tokens.Count)
        {
            throw new UsageException("missing the first resource id");
        }

        var first = tokens[at++];
        if (at >= tokens.Count || tokens[at] != "then")
        {
            throw new UsageException("expected 'then' after the first resource ([ACTION] FIRST then [ACTION] THEN)");
        }

        at++;
        var thenAction = "start";
        if (at + 1 < tokens.Count && Actions.Contains(tokens[at]) && !tokens[at + 1].Contains('=', StringComparison.Ordinal))
        {
            thenAction = tokens[at++];
        }

        if (at >= tokens.Count)
        {
            throw new UsageException("missing the resource id after 'then'");
        }

        var then = tokens[at++];
        string? id = null;
        var options = new List<KeyValuePair<string, string>>();
        for (; at < tokens.Count; at++)
        {
            var token = tokens[at];
            var equals = token.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new UsageException($"unexpected argument '{token}' (options are NAME=VALUE)");
            }

            var (name, value) = (token[..equals], token[(equals + 1)..]);
            switch (name)
            {
                case "id":
                    id = value;
                    break;
                case "kind":
                    var kind = new[] { "Mandatory", "Optional", "Serialize" }.FirstOrDefault(k => string.Equals(k, value, StringComparison.OrdinalIgnoreCase))
                               ?? throw new UsageException($"'{value}' is not a valid kind value, use Mandatory, Optional, Serialize");
                    options.Add(new(name, kind));
                    break;
                case "symmetrical" or "require-all":
                    options.Add(new(name, value.ToLowerInvariant() switch
                    {
                        "true" or "yes" or "on" or "1" => "true",
                        "false" or "no" or "off" or "0" => "false",
                        _ => throw new UsageException($"'{value}' is not a valid {name} value, use true or false"),
                    }));
                    break;
                case "score":
                    options.Add(new(name, ConstraintXml.Score(value)));
                    break;
                default:
                    throw new UsageException($"invalid option '{name}={value}' (allowed: kind, symmetrical, require-all, id)");
            }
        }

        if (first == then)
        {
            throw new UsageException("a resource cannot be ordered after itself");
        }

        return new OrderSpec(firstAction, first, thenAction, then, id, options);
    }

    private static async Task<int> OrderAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        if (call.Args.AtEnd || call.Args.Peek()!.StartsWith('-'))
        {
            return await ConfigAsync(call, "order", false, cancellationToken).ConfigureAwait(false);
        }

        var force = call.Args.TakeFlag("--force");
        var spec = ParseOrder(call.Args);
        if (spec.Id is { } given)
        {
            ResourceXml.Take(new HashSet<string>(), given);
        }

        return await ClusterCommand.EditAsync(call, state =>
        {
            foreach (var r in new[] { spec.First, spec.Then })
            {
                if (CibEdit.FindResource(state.Resources, r) is null)
                {
                    return EditPlan.Fail($"Resource '{r}' does not exist");
                }
            }

            var duplicate = state.Constraints.Elements("rsc_order").FirstOrDefault(c =>
                (string?)c.Attribute("first") == spec.First && (string?)c.Attribute("then") == spec.Then
                && ((string?)c.Attribute("first-action") ?? "start") == spec.FirstAction
                && ((string?)c.Attribute("then-action") ?? "start") == spec.ThenAction);
            if (duplicate is not null && !force)
            {
                return EditPlan.Fail($"duplicate constraint already exists (id: {(string?)duplicate.Attribute("id")}), use --force to override");
            }

            var ids = CibEdit.AllIds(state.Cib);
            string id;
            if (spec.Id is { } wanted)
            {
                if (ids.Contains(wanted))
                {
                    return EditPlan.Fail($"id '{wanted}' is already in use");
                }

                id = wanted;
            }
            else
            {
                id = CibEdit.UniqueId(ids, ConstraintXml.OrderId(spec.First, spec.Then, spec.Kind));
            }

            var element = ConstraintXml.Order(id, spec.First, spec.FirstAction, spec.Then, spec.ThenAction, spec.Options);
            var options = string.Join(' ', new[] { $"first-action={spec.FirstAction}", $"then-action={spec.ThenAction}" }
                .Concat(spec.Options.Where(o => o.Key != "kind").Select(o => $"{o.Key}={o.Value}")));
            return EditPlan.Of([Changes.PutConstraint(element, WriteMode.Create)],
                $"Adding {spec.First} {spec.Then} (kind: {spec.Kind}) (Options: {options})");
        }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> OrderDeleteAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var yes = call.Args.TakeFlag("--yes", "-y");
        var resources = new List<string> { call.Args.Take("resource id") };
        while (!call.Args.AtEnd)
        {
            resources.Add(call.Args.Take("resource id"));
        }

        if (ClusterCommand.Confirm(call.Context, $"Delete the order constraints of {string.Join(", ", resources)}", yes) is { } refused)
        {
            return refused;
        }

        return await ClusterCommand.EditAsync(call, state =>
        {
            var matching = state.Constraints.Elements("rsc_order")
                .Where(c => !c.Elements("resource_set").Any() && resources.Contains((string?)c.Attribute("first") ?? "")
                                                              && (resources.Count == 1 || resources.Contains((string?)c.Attribute("then") ?? ""))
                            || (resources.Count == 1 && (string?)c.Attribute("then") == resources[0]))
                .Select(c => (string)c.Attribute("id")!).ToList();
            return matching.Count == 0
                ? EditPlan.Fail($"No matching resources found in ordering list")
                : EditPlan.Of([.. matching.Select(Changes.DeleteConstraint)], [.. matching.Select(m => $"Removing Constraint - {m}")]);
        }, cancellationToken).ConfigureAwait(false);
    }
}

using System.Collections.Immutable;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;
using ClusterManager.Policy.Rules;

namespace ClusterManager.Policy.Scheduling;

internal sealed partial class Scheduler
{
    private void UnpackResources()
    {
        var index = 0;
        foreach (var cfg in _snapshot.Configuration.Resources)
        {
            if (_resourcesById.ContainsKey(cfg.Id.Value))
            {
                throw new PolicyInputException($"resource '{cfg.Id}' is defined more than once");
            }

            var rsc = BuildResource(cfg, null, [], null);
            rsc.DocumentIndex = index++;
            _resources.Add(rsc);
        }

        HaveStonithResource |= _resources.SelectMany(r => r.Primitives()).Any(p => p.IsFenceDevice);

        // Assignment order: document order, stably sorted by priority (highest first).
        var ordered = _resources.OrderByDescending(r => r.Priority).ThenBy(r => r.DocumentIndex).ToList();
        _resources.Clear();
        _resources.AddRange(ordered);
    }

    private WResource BuildResource(ResourceConfig cfg, WResource? parent, List<ResourceConfig> ancestors, string? instanceSuffix)
    {
        var id = cfg.Id.Value + (instanceSuffix ?? string.Empty);
        var variant = cfg switch
        {
            PrimitiveConfig => Variant.Primitive,
            GroupConfig => Variant.Group,
            _ => Variant.Clone,
        };
        var rsc = new WResource(id, variant, cfg, parent);
        rsc.Meta = CachedMeta(cfg, ancestors, parent);
        CommonUnpack(rsc);
        Register(rsc);

        var lineage = new List<ResourceConfig>(ancestors.Count + 1) { cfg };
        lineage.AddRange(ancestors);
        switch (cfg)
        {
            case PrimitiveConfig p:
                rsc.Parameters = CachedParameters(p);
                rsc.IsFenceDevice = p.IsFencingDevice;
                break;
            case GroupConfig g:
                rsc.GroupOrdered = !rsc.Meta.TryGetValue("ordered", out var o) || IsTrue(o);
                rsc.GroupColocated = !rsc.Meta.TryGetValue("collocated", out var c) || IsTrue(c);
                foreach (var member in g.Members)
                {
                    rsc.Children.Add(BuildResource(member, rsc, lineage, instanceSuffix));
                }

                break;
            case CloneConfig clone:
                UnpackClone(rsc, clone, lineage);
                break;
        }

        // Requirements need the clone's promotable flag and the primitive's class, so come last.
        UnpackRequires(rsc);
        return rsc;
    }

    private void Register(WResource rsc)
    {
        if (!_resourcesById.TryAdd(rsc.Id, rsc))
        {
            throw new PolicyInputException($"resource '{rsc.Id}' is defined more than once");
        }
    }

    private void UnpackClone(WResource clone, CloneConfig cfg, List<ResourceConfig> lineage)
    {
        clone.Promotable = cfg.IsLegacyMaster || IsTrue(clone.Meta.GetValueOrDefault("promotable"));
        clone.Unique = IsTrue(clone.Meta.GetValueOrDefault("globally-unique"));
        clone.CloneMax = ParseInt(clone.Meta.GetValueOrDefault("clone-max"), _nodes.Count);
        clone.CloneNodeMax = clone.Unique ? ParseInt(clone.Meta.GetValueOrDefault("clone-node-max"), 1) : 1;
        clone.PromotedMax = ParseInt(clone.Meta.GetValueOrDefault("promoted-max") ?? clone.Meta.GetValueOrDefault("master-max"), 1);
        clone.PromotedNodeMax = ParseInt(clone.Meta.GetValueOrDefault("promoted-node-max") ?? clone.Meta.GetValueOrDefault("master-node-max"), 1);
        clone.Interleave = IsTrue(clone.Meta.GetValueOrDefault("interleave"));
        clone.CloneOrdered = IsTrue(clone.Meta.GetValueOrDefault("ordered"));
        if (clone.CloneMax < 0)
        {
            clone.CloneMax = 0;
        }

        if (clone.CloneMax > Model.Validation.ConfigurationValidator.MaxCloneInstances)
        {
            // Every instance is a resource of the run: a clone-max in the millions would exhaust memory.
            throw new PolicyInputException(
                $"clone '{clone.Id}': clone-max {clone.CloneMax} is more than the {Model.Validation.ConfigurationValidator.MaxCloneInstances} instances a clone can have");
        }

        // Only OCF and fencing agents can be globally unique; others force the clone anonymous (pe__force_anon).
        if (clone.Unique && FlattenPrimitives(cfg.Child).Any(p => p.Class is not ("ocf" or "stonith")))
        {
            _warnings.Add($"clone '{clone.Id}': globally-unique ignored because its agents' class supports anonymous clones only");
            clone.Unique = false;
            clone.CloneNodeMax = 1;
            clone.CloneMax = Math.Min(clone.CloneMax, _nodes.Count);
        }

        // Clones are sticky by default (clone_unpack).
        if (!clone.Meta.ContainsKey("resource-stickiness"))
        {
            clone.Meta["resource-stickiness"] = "1";
            clone.Stickiness = 1;
        }

        // Even with clone-max=0 one instance exists, so history can be matched to it (an orphan).
        var count = Math.Max(clone.CloneMax, 1);
        for (var i = 0; i < count; i++)
        {
            AddCloneInstance(clone, cfg, lineage, i);
        }
    }

    private static IEnumerable<PrimitiveConfig> FlattenPrimitives(ResourceConfig cfg) => cfg switch
    {
        PrimitiveConfig p => [p],
        GroupConfig g => g.Members,
        _ => [],
    };

    private WResource AddCloneInstance(WResource clone, CloneConfig cfg, List<ResourceConfig> lineage, int instance)
    {
        var child = BuildResource(cfg.Child, clone, lineage, ":" + instance.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var p in child.Primitives().Append(child))
        {
            p.Unique = clone.Unique;
        }

        if (instance >= clone.CloneMax)
        {
            foreach (var p in child.Primitives().Append(child))
            {
                p.Orphan = true;
            }
        }

        clone.Children.Add(child);
        return child;
    }

    // rsc_defaults resolved once per agent (their rules may test class, provider and type; nothing else of the
    // resource), not once per resource.
    private readonly Dictionary<(string?, string?, string?), Dictionary<string, string>> _rscDefaults = [];

    private Dictionary<string, string> RscDefaults(PrimitiveConfig? p)
    {
        var key = (p?.Class, p?.Provider, p?.Type);
        if (!_rscDefaults.TryGetValue(key, out var resolved))
        {
            resolved = NvSetResolver.ResolveToDictionary(_snapshot.Configuration.ResourceDefaults, Context(primitive: p));
            _rscDefaults[key] = resolved;
        }

        return resolved;
    }

    // Clone instances share their configuration: resolve it once per configuration (and parent), copy after.
    private readonly Dictionary<(ResourceConfig, ResourceConfig?), Dictionary<string, string>> _metaCache = [];
    private readonly Dictionary<(ResourceConfig, ResourceConfig?), Dictionary<string, string>> _sharedMeta = [];
    private readonly Dictionary<PrimitiveConfig, Dictionary<string, string>> _parameterCache = [];

    private Dictionary<string, string> CachedMeta(ResourceConfig cfg, List<ResourceConfig> ancestors, WResource? parent)
    {
        var key = (cfg, parent?.Config);
        if (!_metaCache.TryGetValue(key, out var meta))
        {
            meta = ComputeMeta(cfg, ancestors, parent);
            _metaCache[key] = meta;

            // The first resource of a configuration owns the resolved set (a clone adds its default stickiness
            // to its own); later instances share a copy taken once.
            return meta;
        }

        if (!_sharedMeta.TryGetValue(key, out var shared))
        {
            shared = new Dictionary<string, string>(meta, StringComparer.Ordinal);
            _sharedMeta[key] = shared;
        }

        return shared;
    }

    private Dictionary<string, string> CachedParameters(PrimitiveConfig p)
    {
        if (!_parameterCache.TryGetValue(p, out var parameters))
        {
            parameters = NvSetResolver.ResolveToDictionary(p.InstanceAttributes, Context(primitive: p));
            _parameterCache[p] = parameters;
        }

        return parameters;
    }

    /// <summary>
    /// Meta precedence (get_meta_attributes): own sets, then each ancestor's explicit sets (nearest first), then
    /// rsc_defaults, then what the parent computed (e.g. a clone's default stickiness). A name once set stays.
    /// </summary>
    private Dictionary<string, string> ComputeMeta(ResourceConfig cfg, List<ResourceConfig> ancestors, WResource? parent)
    {
        var p = cfg as PrimitiveConfig;
        var context = Context(primitive: p);
        var meta = NvSetResolver.ResolveToDictionary(cfg.Meta, context);
        foreach (var ancestor in ancestors)
        {
            if (ancestor.Meta.Length == 0)
            {
                continue;
            }

            foreach (var (k, v) in NvSetResolver.ResolveToDictionary(ancestor.Meta, context))
            {
                meta.TryAdd(k, v);
            }
        }

        foreach (var (k, v) in RscDefaults(p))
        {
            meta.TryAdd(k, v);
        }

        if (parent is not null)
        {
            foreach (var (k, v) in parent.Meta)
            {
                meta.TryAdd(k, v);
            }
        }

        return meta;
    }

    private void CommonUnpack(WResource rsc)
    {
        var meta = rsc.Meta;
        rsc.Priority = ParseScore(meta.GetValueOrDefault("priority"), 0);
        if (meta.TryGetValue("is-managed", out var managed) && !IsTrue(managed))
        {
            rsc.Managed = false;
        }

        if (IsTrue(meta.GetValueOrDefault("maintenance")))
        {
            rsc.Managed = false;
            rsc.MaintenanceFlag = true;
        }

        if (MaintenanceMode)
        {
            rsc.Managed = false;
            rsc.MaintenanceFlag = true;
        }

        rsc.Critical = !meta.TryGetValue("critical", out var critical) || IsTrue(critical);
        if (meta.TryGetValue("resource-stickiness", out var stick) && !stick.Equals("default", StringComparison.OrdinalIgnoreCase))
        {
            rsc.Stickiness = ParseScore(stick, 0);
        }

        if (meta.TryGetValue("migration-threshold", out var mt))
        {
            rsc.MigrationThreshold = ParseScore(mt, Score.InfinityValue);
            if (rsc.MigrationThreshold < 0)
            {
                rsc.MigrationThreshold = 1;
            }
        }

        if (meta.TryGetValue("failure-timeout", out var ft) && Durations.TryParse(ft, out var fts))
        {
            rsc.FailureTimeoutSeconds = (long)fts.TotalSeconds;
        }

        rsc.Recovery = meta.GetValueOrDefault("multiple-active") switch
        {
            "stop_only" => MultipleActive.StopOnly,
            "block" => MultipleActive.Block,
            "stop_unexpected" => MultipleActive.StopUnexpected,
            _ => MultipleActive.StopStart,
        };

        if (IsTrue(meta.GetValueOrDefault("allow-migrate")))
        {
            rsc.AllowMigrate = true;
            AnyMigratable = true;
        }

        var top = rsc.Parent?.Top;
        rsc.Unique = rsc.Parent is null || top is null || !top.IsClone || IsTrue(top.Meta.GetValueOrDefault("globally-unique"));
        if (TargetRole(rsc) is { } target)
        {
            rsc.TargetRole = target;
            rsc.NextRole = target;
        }

        rsc.Allowed = NewTable();
        if (Symmetric)
        {
            foreach (var node in _nodes)
            {
                rsc.Allowed[node.Index] = node.Weight;
            }
        }
    }

    /// <summary>get_target_role: target-role, ignoring values that only restate the default.</summary>
    private ResourceRole? TargetRole(WResource rsc)
    {
        var value = rsc.Meta.GetValueOrDefault("target-role");
        if (value is null || value.Equals("started", StringComparison.OrdinalIgnoreCase)
            || value.Equals("default", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        ResourceRole role = value.ToLowerInvariant() switch
        {
            "stopped" => ResourceRole.Stopped,
            "unpromoted" or "slave" => ResourceRole.Unpromoted,
            "promoted" or "master" => ResourceRole.Promoted,
            _ => ResourceRole.Unknown,
        };
        if (role == ResourceRole.Unknown)
        {
            _warnings.Add($"resource '{rsc.Id}': target-role '{value}' is not a role; ignored");
            return null;
        }

        if (role > ResourceRole.Started)
        {
            var promotable = rsc.Top is { IsClone: true } t && (t.Promotable || t.Config is CloneConfig { IsLegacyMaster: true }
                || IsTrue(t.Meta.GetValueOrDefault("promotable")));
            if (!promotable || role > ResourceRole.Unpromoted)
            {
                return null;
            }
        }

        return role;
    }

    private void UnpackRequires(WResource rsc)
    {
        var value = rsc.Meta.GetValueOrDefault("requires");
        switch (value)
        {
            case "nothing":
                return;
            case "quorum":
                rsc.NeedsQuorum = true;
                return;
            case "fencing":
                rsc.NeedsFencing = true;
                return;
            case "unfencing":
                RequireUnfencing(rsc);
                return;
        }

        if (IsFenceDevice(rsc))
        {
            rsc.NeedsQuorum = true;
        }
        else if (EnableUnfencing)
        {
            RequireUnfencing(rsc);
        }
        else if (StonithEnabled)
        {
            rsc.NeedsFencing = true;
        }
        else if (NoQuorum != NoQuorumPolicy.Ignore)
        {
            rsc.NeedsQuorum = true;
        }
    }

    /// <summary>requires=unfencing: fence devices and clusters without fencing fall back to quorum.</summary>
    private void RequireUnfencing(WResource rsc)
    {
        if (IsFenceDevice(rsc) || !StonithEnabled)
        {
            _warnings.Add($"resetting requires for {rsc.Id} to quorum: {(StonithEnabled ? "fencing devices cannot require unfencing" : "fencing is disabled")}");
            rsc.NeedsQuorum = true;
            return;
        }

        rsc.NeedsFencing = true;
        _needsUnfencing.Add(rsc);
    }

    internal static int ParseInt(string? text, int fallback) =>
        int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : fallback;

    /// <summary>char2score: INFINITY words, else leading integer, else the fallback.</summary>
    internal static int ParseScore(string? text, int fallback)
    {
        if (text is null)
        {
            return fallback;
        }

        if (Score.TryParse(text, out var s))
        {
            return s.Value;
        }

        var t = text.Trim();
        var end = 0;
        if (end < t.Length && (t[end] == '-' || t[end] == '+'))
        {
            end++;
        }

        while (end < t.Length && char.IsDigit(t[end]))
        {
            end++;
        }

        return end > 0 && long.TryParse(t[..end], out var v) ? Score.From(v).Value : fallback;
    }

    /// <summary>resource_node_score: adds a score on one node, recursively on children; inserts the node if absent.</summary>
    internal void ResourceNodeScore(WResource rsc, WNode node, Score score)
    {
        foreach (var child in rsc.Children)
        {
            ResourceNodeScore(child, node, score);
        }

        var current = rsc.Allowed[node.Index] ?? node.Weight;
        rsc.Allowed[node.Index] = current + score;
    }

    /// <summary>resource_location: a score on one node, or on every node when <paramref name="node"/> is null.</summary>
    internal void ResourceLocation(WResource rsc, WNode? node, Score score)
    {
        if (node is not null)
        {
            ResourceNodeScore(rsc, node, score);
            return;
        }

        foreach (var n in _nodes)
        {
            ResourceNodeScore(rsc, n, score);
        }

        if (score.IsMinusInfinity && rsc.AllocatedTo is not null)
        {
            rsc.AllocatedTo = null;
        }
    }
}

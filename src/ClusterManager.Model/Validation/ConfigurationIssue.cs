namespace ClusterManager.Model.Validation;

/// <summary>How bad a configuration problem is.</summary>
public enum IssueSeverity
{
    /// <summary>Pacemaker would reject or ignore the element; a change introducing it should be refused.</summary>
    Error,

    /// <summary>Accepted, but probably not what was meant (an unknown option name, a constraint on an unknown node).</summary>
    Warning,
}

/// <summary>
/// One problem found by <see cref="ConfigurationValidator"/>. <see cref="ElementPath"/> names the element as a CIB
/// path with ids (<c>/cib/configuration/constraints/rsc_order[@id='o1']</c>).
/// </summary>
public sealed record ConfigurationIssue(string ElementPath, string Message, IssueSeverity Severity);

namespace ClusterManager.Cib;

/// <summary>
/// A CIB that cannot be read: malformed XML, a missing required attribute, an invalid score or interval, or an
/// unknown role, kind or action. The message names the element (tag and id) and the problem;
/// <see cref="ElementPath"/> locates the element (<c>/cib/configuration/constraints/rsc_colocation[@id='c1']</c>).
/// </summary>
public sealed class CibFormatException : Exception
{
    public CibFormatException(string message, string elementPath)
        : base(message)
    {
        ElementPath = elementPath;
    }

    public CibFormatException(string message, string elementPath, Exception innerException)
        : base(message, innerException)
    {
        ElementPath = elementPath;
    }

    /// <summary>Where the problem is, as an XPath-like path with ids (<c>/cib</c> for document-level problems).</summary>
    public string ElementPath { get; }
}

namespace Tailmark.Checks;

/// <summary>A verifiable criterion's program: decides from the response text alone whether it is followed.</summary>
public interface ICheck
{
    /// <summary>The check type (an IFEval instruction id or a generic check name).</summary>
    string Type { get; }

    bool IsFollowed(string response);
}

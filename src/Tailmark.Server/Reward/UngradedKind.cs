namespace Tailmark.Server.Reward;

/// <summary>Why an item got no reward. Every protocol flags such an item; none turns it into a silent number.</summary>
public enum UngradedKind
{
    /// <summary>No rubric was found for its prompt (by id or by prompt).</summary>
    NoRubric,

    /// <summary>Its content could not be read (a field of the wrong type or shape, a query that does not contain its prompt).</summary>
    Unreadable,

    /// <summary>Not graded within the request's deadline.</summary>
    Deadline,

    /// <summary>The server was stopping and its drain time ran out before the item was graded.</summary>
    Stopping,

    /// <summary>Graded, but the reward is undefined (null): CannotAssess policy 'fail', too little judged weight covered, and the like.</summary>
    Undefined,

    /// <summary>Grading failed outright (a bug or an unexpected error; the reason says which).</summary>
    Failed,
}

/// <summary>The wire names of <see cref="UngradedKind"/>.</summary>
public static class UngradedKinds
{
    public static string Name(UngradedKind kind) => kind switch
    {
        UngradedKind.NoRubric => "no_rubric",
        UngradedKind.Unreadable => "unreadable",
        UngradedKind.Deadline => "deadline",
        UngradedKind.Stopping => "stopping",
        UngradedKind.Undefined => "undefined",
        _ => "failed",
    };
}

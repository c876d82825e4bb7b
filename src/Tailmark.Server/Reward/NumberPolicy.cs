using Tailmark.Server.Reward.Wire;

namespace Tailmark.Server.Reward;

/// <summary>
/// For protocols whose trainer needs a number for every item (OpenRLHF, slime): the reward of each item, with ungraded
/// items given the configured fixed value — or the request answered with an error when a policy says so. A request
/// in which no item found a rubric follows <see cref="RewardServerOptions.NoRubric"/> (default: 422, so a
/// misconfigured run stops instead of training on fixed values); other ungraded items follow
/// <see cref="RewardServerOptions.Ungraded"/> (default: reward 0, flagged).
/// </summary>
public static class NumberPolicy
{
    public static double[] Rewards(RewardBatch batch, RewardServerOptions options, Func<int, string> itemField)
    {
        if (batch.NothingFound && options.NoRubric.IsError)
        {
            var first = batch.Results[0];
            throw new HttpProblem(422,
                $"{itemField(0)}: no item of this request found a rubric ({first.Reason}); send prompt ids (OpenRLHF: --data.label_key; slime: the label) " +
                "or prompts whose text or chat template matches the rubrics' prompts, or start serve with --no-rubric reward:X to train past them",
                itemField(0));
        }
        var values = new double[batch.Results.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var r = batch.Results[i];
            if (r.Reward is { } reward)
            {
                values[i] = reward;
                continue;
            }
            var policy = r.Ungraded == UngradedKind.NoRubric && batch.NothingFound ? options.NoRubric : options.Ungraded;
            if (policy.IsError)
            {
                throw r.DeadlineExceeded
                    ? new HttpProblem(503, $"{itemField(i)}: {r.Reason} (serve --ungraded error); retry", itemField(i), TimeSpan.FromSeconds(1))
                    : new HttpProblem(422, $"{itemField(i)}: {r.Reason} (serve --ungraded error)", itemField(i));
            }
            values[i] = policy.Reward;
        }
        return values;
    }
}

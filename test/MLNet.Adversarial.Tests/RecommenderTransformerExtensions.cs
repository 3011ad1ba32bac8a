using MLNet.Adversarial.Models;
using MLNet.Adversarial.Serving;

namespace MLNet.Adversarial.Tests;

internal static class RecommenderTransformerExtensions
{
    /// <summary>The model of a BPR/APR transformer, which is always a <see cref="FactorizationModel"/>.</summary>
    public static FactorizationModel Factorization(this RecommenderTransformer transformer) => (FactorizationModel)transformer.Model;
}

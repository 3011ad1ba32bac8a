namespace MLNet.Adversarial.Onnx;

/// <summary>
/// The names every exported graph and every reader of one agree on — inputs, outputs, graph and initializer names,
/// metadata values — in one place with the metadata keys (<see cref="OnnxMetadataKeys"/>, below). The exporters, the
/// serving chain, the CLI and the tests use these constants; docs/onnx.md describes them.
/// </summary>
public static class OnnxContract
{
    /// <summary>Raw user ids, int64 or string (<see cref="OnnxMetadataKeys.UserIdType"/>): input of every recommender graph.</summary>
    public const string UserInput = "user";

    /// <summary>Raw item ids: the pairwise scorer's second input.</summary>
    public const string ItemInput = "item";

    /// <summary>The pairwise scorer's output: float <c>[N]</c>.</summary>
    public const string ScoreOutput = "score";

    /// <summary>Top-K output: the recommended raw item ids <c>[N,K]</c>, best first.</summary>
    public const string ItemIdsOutput = "item_ids";

    /// <summary>Top-K output: their scores <c>[N,K]</c>.</summary>
    public const string ScoresOutput = "scores";

    /// <summary>Purchase-vector graph input: one float purchase vector <c>[N, items]</c> per row (CFGAN, unseen users).</summary>
    public const string PurchasesInput = "purchases";

    /// <summary>Purchase-vector graph output: the score of every catalogue item <c>[N, items]</c>.</summary>
    public const string ItemScoresOutput = "item_scores";

    /// <summary>Purchase-vector graph output: the catalogue's raw item ids, the columns of <see cref="PurchasesInput"/> and <see cref="ItemScoresOutput"/>.</summary>
    public const string CatalogOutput = "catalog_item_ids";

    /// <summary>The symbolic batch dimension of inputs and outputs.</summary>
    public const string BatchDimension = "N";

    /// <summary>Graph name of a factorisation model's pairwise scorer.</summary>
    public const string PairwiseScorerGraph = "pairwise_scorer";

    /// <summary>Graph name of a factorisation model's top-K recommender.</summary>
    public const string TopKGraph = "top_k";

    /// <summary>Graph name of a CFGAN model's pairwise scorer.</summary>
    public const string CfganPairwiseScorerGraph = "cfgan_pairwise_scorer";

    /// <summary>Graph name of a CFGAN model's top-K recommender.</summary>
    public const string CfganTopKGraph = "cfgan_top_k";

    /// <summary>Graph name of a CFGAN model's purchase-vector graph.</summary>
    public const string CfganPurchaseVectorGraph = "cfgan_purchase_vector";

    /// <summary>Initializer of a factorisation graph holding the user vectors <c>[users + 1, k]</c>, the fallback row last (read by <see cref="OnnxUserTable"/>).</summary>
    public const string UserFactorsInitializer = "user_factors";

    /// <summary>Initializer holding the item vectors.</summary>
    public const string ItemFactorsInitializer = "item_factors";

    /// <summary>Initializer holding the item biases.</summary>
    public const string ItemBiasInitializer = "item_bias";

    /// <summary>The graphs' producer name.</summary>
    public const string ProducerName = "MLNet.Adversarial";

    /// <summary>Value of <see cref="OnnxMetadataKeys.UserIdType"/> / <see cref="OnnxMetadataKeys.ItemIdType"/> for integer ids.</summary>
    public const string Int64IdType = "int64";

    /// <summary>Value of <see cref="OnnxMetadataKeys.UserIdType"/> / <see cref="OnnxMetadataKeys.ItemIdType"/> for text ids.</summary>
    public const string StringIdType = "string";

    /// <summary>Value of <see cref="OnnxMetadataKeys.IdInputShape"/>: ids declared <c>[N]</c> (<see cref="OnnxIdInputShape.Batch"/>).</summary>
    public const string BatchIdInputs = "batch";

    /// <summary>Value of <see cref="OnnxMetadataKeys.IdInputShape"/>: ids of any shape (<see cref="OnnxIdInputShape.AnyRank"/>).</summary>
    public const string AnyRankIdInputs = "any-rank";

    /// <summary>Value of <see cref="OnnxMetadataKeys.IdInputShape"/>: ids declared <c>[N,1]</c> (<see cref="OnnxIdInputShape.Column"/>).</summary>
    public const string ColumnIdInputs = "column";

    /// <summary>Value of <see cref="OnnxMetadataKeys.CfganOrientation"/> for a user-based generator.</summary>
    public const string CfganUserBased = "user-based";

    /// <summary>Value of <see cref="OnnxMetadataKeys.CfganOrientation"/> for an item-based generator.</summary>
    public const string CfganItemBased = "item-based";

    /// <summary>How a boolean metadata value is written (<see cref="OnnxMetadataKeys.ExcludeTrainingItems"/>): <c>true</c> or <c>false</c>.</summary>
    public static string Flag(bool value) => value ? "true" : "false";
}

/// <summary>The <c>metadata_props</c> keys and values the exporter writes, for readers of the files.</summary>
public static class OnnxMetadataKeys
{
    /// <summary>
    /// The serving contract: <see cref="PairwiseScorerContract"/> or <see cref="TopKContract"/>. Always the last
    /// entry, so its presence shows the file was not cut short (see <see cref="OnnxModelFile.Validate(byte[], string, string?)"/>).
    /// </summary>
    public const string Contract = "contract";

    /// <summary>Contract of a model with inputs <see cref="OnnxContract.UserInput"/>, <see cref="OnnxContract.ItemInput"/> and output <see cref="OnnxContract.ScoreOutput"/>.</summary>
    public const string PairwiseScorerContract = "pairwise-scorer";

    /// <summary>Contract of a model with input <see cref="OnnxContract.UserInput"/> and outputs <see cref="OnnxContract.ItemIdsOutput"/>, <see cref="OnnxContract.ScoresOutput"/>.</summary>
    public const string TopKContract = "top-k";

    /// <summary>Contract of a model with input <c>purchases</c> (a purchase vector per row) and outputs <c>item_scores</c>, <c>item_ids</c>, <c>scores</c> and <c>catalog_item_ids</c> (CFGAN, for unseen users).</summary>
    public const string PurchaseVectorContract = "purchase-vector";

    /// <summary>The model kind given by the caller (<see cref="OnnxExportOptions.ModelKind"/>).</summary>
    public const string ModelKind = "model_kind";

    /// <summary>Number of known users.</summary>
    public const string UserCount = "user_count";

    /// <summary>Number of known items (the catalogue size).</summary>
    public const string ItemCount = "item_count";

    /// <summary>Type of the raw user ids: <c>int64</c> or <c>string</c>.</summary>
    public const string UserIdType = "user_id_type";

    /// <summary>Type of the raw item ids: <c>int64</c> or <c>string</c>.</summary>
    public const string ItemIdType = "item_id_type";

    /// <summary>How the id inputs are declared: <c>batch</c>, <c>column</c> or <c>any-rank</c> (see <see cref="OnnxIdInputShape"/>).</summary>
    public const string IdInputShape = "id_input_shape";

    /// <summary>Embedding dimension.</summary>
    public const string Dimension = "dimension";

    /// <summary>SHA-256 of the training data (<see cref="Data.InteractionData.ComputeHash"/>); absent when not given.</summary>
    public const string TrainingDataHash = "training_data_hash";

    /// <summary>The informational version of this library.</summary>
    public const string LibraryVersion = "library_version";

    /// <summary>Top-K only: the number of items returned per user, after clamping.</summary>
    public const string K = "k";

    /// <summary>Top-K only: <c>true</c> when training items are excluded, else <c>false</c>.</summary>
    public const string ExcludeTrainingItems = "exclude_training_items";

    /// <summary>Hybrid models only: width of the item text embeddings the graph projects (new items' embeddings must match).</summary>
    public const string ItemTextDimension = "item_text_dimension";

    /// <summary>Hybrid models with user text only: width of the user text embeddings.</summary>
    public const string UserTextDimension = "user_text_dimension";

    /// <summary>CFGAN only: <c>user-based</c> or <c>item-based</c>, what the generator's input vectors are.</summary>
    public const string CfganOrientation = "cfgan_orientation";

    /// <summary>Prefix of the hyper-parameter entries (<c>hparam.learning_rate</c>, ...).</summary>
    public const string HyperParameterPrefix = "hparam.";
}

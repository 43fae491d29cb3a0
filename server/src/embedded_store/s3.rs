//! The S3 operations of the embedded store: s3s-fs's, plus bucket CORS (which s3s-fs lacks).

use s3s::dto::*;
use s3s::{S3, S3Request, S3Response, S3Result, s3_error};

use super::checksum_first;
use super::cors::{CorsStore, Rule};

pub struct EmbeddedS3 {
    pub fs: s3s_fs::FileSystem,
    pub cors: CorsStore,
}

#[async_trait::async_trait]
impl S3 for EmbeddedS3 {
    async fn create_bucket(
        &self,
        req: S3Request<CreateBucketInput>,
    ) -> S3Result<S3Response<CreateBucketOutput>> {
        self.fs.create_bucket(req).await
    }

    async fn copy_object(
        &self,
        req: S3Request<CopyObjectInput>,
    ) -> S3Result<S3Response<CopyObjectOutput>> {
        self.fs.copy_object(req).await
    }

    async fn delete_bucket(
        &self,
        req: S3Request<DeleteBucketInput>,
    ) -> S3Result<S3Response<DeleteBucketOutput>> {
        self.fs.delete_bucket(req).await
    }

    async fn delete_object(
        &self,
        req: S3Request<DeleteObjectInput>,
    ) -> S3Result<S3Response<DeleteObjectOutput>> {
        self.fs.delete_object(req).await
    }

    async fn delete_objects(
        &self,
        req: S3Request<DeleteObjectsInput>,
    ) -> S3Result<S3Response<DeleteObjectsOutput>> {
        self.fs.delete_objects(req).await
    }

    async fn get_bucket_location(
        &self,
        req: S3Request<GetBucketLocationInput>,
    ) -> S3Result<S3Response<GetBucketLocationOutput>> {
        self.fs.get_bucket_location(req).await
    }

    async fn get_object(
        &self,
        req: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        self.fs.get_object(req).await
    }

    async fn head_bucket(
        &self,
        req: S3Request<HeadBucketInput>,
    ) -> S3Result<S3Response<HeadBucketOutput>> {
        self.fs.head_bucket(req).await
    }

    async fn head_object(
        &self,
        req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        self.fs.head_object(req).await
    }

    async fn list_buckets(
        &self,
        req: S3Request<ListBucketsInput>,
    ) -> S3Result<S3Response<ListBucketsOutput>> {
        self.fs.list_buckets(req).await
    }

    async fn list_objects(
        &self,
        req: S3Request<ListObjectsInput>,
    ) -> S3Result<S3Response<ListObjectsOutput>> {
        self.fs.list_objects(req).await
    }

    async fn list_objects_v2(
        &self,
        req: S3Request<ListObjectsV2Input>,
    ) -> S3Result<S3Response<ListObjectsV2Output>> {
        self.fs.list_objects_v2(req).await
    }

    async fn put_object(
        &self,
        mut req: S3Request<PutObjectInput>,
    ) -> S3Result<S3Response<PutObjectOutput>> {
        let Some(expected) = req.input.checksum_sha256.clone() else {
            return self.fs.put_object(req).await;
        };
        let body = req
            .input
            .body
            .take()
            .ok_or_else(|| s3_error!(IncompleteBody))?;
        let (body, mismatch) = checksum_first::checked(body, &expected)
            .ok_or_else(|| s3_error!(InvalidDigest, "x-amz-checksum-sha256 is not a SHA-256"))?;
        req.input.body = Some(body);
        let answer = self.fs.put_object(req).await;
        if mismatch.found() {
            return Err(s3_error!(
                BadDigest,
                "the body does not match its x-amz-checksum-sha256"
            ));
        }
        answer
    }

    async fn create_multipart_upload(
        &self,
        req: S3Request<CreateMultipartUploadInput>,
    ) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
        self.fs.create_multipart_upload(req).await
    }

    async fn upload_part(
        &self,
        req: S3Request<UploadPartInput>,
    ) -> S3Result<S3Response<UploadPartOutput>> {
        self.fs.upload_part(req).await
    }

    async fn upload_part_copy(
        &self,
        req: S3Request<UploadPartCopyInput>,
    ) -> S3Result<S3Response<UploadPartCopyOutput>> {
        self.fs.upload_part_copy(req).await
    }

    async fn list_parts(
        &self,
        req: S3Request<ListPartsInput>,
    ) -> S3Result<S3Response<ListPartsOutput>> {
        self.fs.list_parts(req).await
    }

    async fn complete_multipart_upload(
        &self,
        req: S3Request<CompleteMultipartUploadInput>,
    ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
        self.fs.complete_multipart_upload(req).await
    }

    async fn abort_multipart_upload(
        &self,
        req: S3Request<AbortMultipartUploadInput>,
    ) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
        self.fs.abort_multipart_upload(req).await
    }

    /// Never enabled: the embedded store keeps no old versions (S3 answers an empty
    /// configuration for a bucket whose versioning was never turned on).
    async fn get_bucket_versioning(
        &self,
        _req: S3Request<GetBucketVersioningInput>,
    ) -> S3Result<S3Response<GetBucketVersioningOutput>> {
        Ok(S3Response::new(GetBucketVersioningOutput::default()))
    }

    async fn put_bucket_cors(
        &self,
        req: S3Request<PutBucketCorsInput>,
    ) -> S3Result<S3Response<PutBucketCorsOutput>> {
        let rules = req
            .input
            .cors_configuration
            .cors_rules
            .into_iter()
            .map(|r| Rule {
                origins: r.allowed_origins,
                methods: r.allowed_methods,
                headers: r.allowed_headers.unwrap_or_default(),
                expose: r.expose_headers.unwrap_or_default(),
                max_age: r.max_age_seconds,
            })
            .collect();
        self.cors
            .set(rules)
            .map_err(|e| s3_error!(InternalError, "cannot save the CORS rules: {e}"))?;
        Ok(S3Response::new(PutBucketCorsOutput::default()))
    }

    async fn get_bucket_cors(
        &self,
        _req: S3Request<GetBucketCorsInput>,
    ) -> S3Result<S3Response<GetBucketCorsOutput>> {
        let rules = self.cors.rules();
        if rules.is_empty() {
            return Err(s3_error!(NoSuchCORSConfiguration));
        }
        let cors_rules = rules
            .into_iter()
            .map(|r| CORSRule {
                allowed_origins: r.origins,
                allowed_methods: r.methods,
                allowed_headers: Some(r.headers),
                expose_headers: Some(r.expose),
                max_age_seconds: r.max_age,
                id: None,
            })
            .collect();
        Ok(S3Response::new(GetBucketCorsOutput {
            cors_rules: Some(cors_rules),
        }))
    }

    async fn delete_bucket_cors(
        &self,
        _req: S3Request<DeleteBucketCorsInput>,
    ) -> S3Result<S3Response<DeleteBucketCorsOutput>> {
        self.cors
            .set(Vec::new())
            .map_err(|e| s3_error!(InternalError, "cannot save the CORS rules: {e}"))?;
        Ok(S3Response::new(DeleteBucketCorsOutput::default()))
    }
}

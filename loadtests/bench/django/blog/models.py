# The Paddock blog starter's table, read as is (the Paddock migration owns it).
from django.db import models


class Post(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    body = models.TextField()
    author = models.CharField(max_length=100, default='')
    published = models.DateTimeField(null=True, db_index=True)

    class Meta:
        managed = False
        db_table = 'blog_post'
        ordering = ['-published']

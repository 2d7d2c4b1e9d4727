"""Running the app on several servers behind a reverse proxy: deploy/nginx.conf.template, deploy/local.py."""
